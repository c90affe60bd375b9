export interface ScenarioRow {
  scenario: string;
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  /** Statuses other than the expected 2xx, e.g. "503×1234". */
  other: string;
  /** CPU µs of the server's main thread per response; undefined when not measured alone. */
  cpuMicros?: number;
}

export interface RatioRow {
  ratio: string;
  /** Undefined when it could not be measured; `why` says why. */
  value?: number;
  /** Undefined for a ratio shown for reading only (e.g. against the raw node:http limit). */
  goal?: number;
  why?: string;
  /** The same pairs compared by CPU per request (the second side's over the first's). */
  byCpu?: number;
}

const pad = (cells: string[]) => `| ${cells.join(' | ')} |`;

/** The scenario and ratio figures of one run as one Markdown table. */
export function formatTable(scenarios: ScenarioRow[], ratios: RatioRow[]): string {
  const lines = [
    pad(['scenario', 'req/s', 'p50 ms', 'p99 ms', 'errors', 'other statuses', 'CPU µs/req']),
    pad(['---', '---:', '---:', '---:', '---:', '---', '---:']),
  ];
  for (const row of scenarios) {
    const cpu = row.cpuMicros === undefined ? '-' : row.cpuMicros.toFixed(1);
    lines.push(pad([row.scenario, row.rps.toFixed(1), String(row.p50), String(row.p99), String(row.errors), row.other || '-', cpu]));
  }
  for (const row of ratios) {
    const value = row.value === undefined ? `n/a (${row.why})` : row.value.toFixed(2);
    const goal = row.goal === undefined ? 'no goal' : `goal ≥ ${row.goal}`;
    const verdict = row.value === undefined || row.goal === undefined ? '' : row.value >= row.goal ? 'met' : 'below goal';
    lines.push(pad([`ratio ${row.ratio}`, value, goal, verdict, '', '', row.byCpu === undefined ? '' : `by CPU ${row.byCpu.toFixed(2)}`]));
  }
  return lines.join('\n');
}
