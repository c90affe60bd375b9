export interface ScenarioRow {
  scenario: string;
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  /** Statuses other than the expected 2xx, e.g. "503×1234". */
  other: string;
}

export interface RatioRow {
  ratio: string;
  /** Undefined when it could not be measured; `why` says why. */
  value?: number;
  goal: number;
  why?: string;
}

const pad = (cells: string[]) => `| ${cells.join(' | ')} |`;

/** The scenario and ratio figures of one run as one Markdown table. */
export function formatTable(scenarios: ScenarioRow[], ratios: RatioRow[]): string {
  const lines = [
    pad(['scenario', 'req/s', 'p50 ms', 'p99 ms', 'errors', 'other statuses']),
    pad(['---', '---:', '---:', '---:', '---:', '---']),
  ];
  for (const row of scenarios) {
    lines.push(pad([row.scenario, row.rps.toFixed(1), String(row.p50), String(row.p99), String(row.errors), row.other || '-']));
  }
  for (const row of ratios) {
    const value = row.value === undefined ? `n/a (${row.why})` : row.value.toFixed(2);
    const verdict = row.value === undefined ? '' : row.value >= row.goal ? 'met' : 'below goal';
    lines.push(pad([`ratio ${row.ratio}`, value, `goal ≥ ${row.goal}`, verdict, '', '']));
  }
  return lines.join('\n');
}
