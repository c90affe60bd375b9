/** "30 minutes", "1 hour", "2 hours 15 minutes", "45 seconds". */
export function durationInWords(ms: number): string {
  const totalSeconds = Math.round(ms / 1000);
  const parts: Array<[number, string]> = [
    [Math.floor(totalSeconds / 86400), 'day'],
    [Math.floor((totalSeconds % 86400) / 3600), 'hour'],
    [Math.floor((totalSeconds % 3600) / 60), 'minute'],
    [totalSeconds % 60, 'second'],
  ];
  const words = parts.filter(([n]) => n > 0).map(([n, unit]) => `${n} ${unit}${n === 1 ? '' : 's'}`);
  return words.length ? words.join(' ') : '0 seconds';
}

/** Text placed in an email's HTML part as text, never as markup. */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
