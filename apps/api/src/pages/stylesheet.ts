/** WCAG's relative luminance of a `#rrggbb` colour. */
function luminance(hex: string): number {
  const channels = [1, 3, 5].map((start) => parseInt(hex.slice(start, start + 2), 16) / 255);
  const [r, g, b] = channels.map((c) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4)) as [number, number, number];
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

/** WCAG's contrast ratio of two colours (1 to 21). */
export function contrast(a: string, b: string): number {
  const [light, dark] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (light + 0.05) / (dark + 0.05);
}

const INK = '#1a1a1a';

/**
 * The pages' own stylesheet, small and served from this origin. The accent colours the
 * buttons (their text black or white, whichever reads better on it) and the links, when it
 * reads on white (WCAG AA, 4.5:1); otherwise links keep the ink colour.
 */
export function pagesStylesheet(accent: string): string {
  const onAccent = contrast(accent, '#ffffff') >= contrast(accent, '#000000') ? '#ffffff' : '#000000';
  const link = contrast(accent, '#ffffff') >= 4.5 ? accent : INK;
  return `:root{--accent:${accent};--on-accent:${onAccent};--link:${link};--ink:${INK};--muted:#4a4a4a;--line:#d0d0d0;--danger:#b42318;--ok:#05603a;--warn:#8a4b00;color-scheme:light}
*{box-sizing:border-box}
html{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;font-size:100%;line-height:1.5;color:var(--ink);background:#f6f6f7}
body{margin:0;min-height:100vh;display:flex;flex-direction:column}
a{color:var(--link);text-underline-offset:.15em}
a:focus-visible,button:focus-visible,input:focus-visible,summary:focus-visible{outline:3px solid var(--accent);outline-offset:2px}
.site-header{display:flex;align-items:center;justify-content:space-between;gap:1rem;padding:.75rem 1rem;background:#fff;border-bottom:1px solid var(--line)}
.brand{font-weight:700;font-size:1.15rem;color:var(--ink);text-decoration:none}
.brand img{display:block;max-height:2rem;width:auto}
main{flex:1;width:100%;max-width:34rem;margin:0 auto;padding:1.5rem 1rem 2rem}
h1{font-size:1.6rem;line-height:1.25;margin:0 0 1rem}
h2{font-size:1.2rem;margin:0 0 .75rem}
section{background:#fff;border:1px solid var(--line);border-radius:.5rem;padding:1rem;margin:0 0 1rem}
.page-form{display:flex;flex-direction:column;gap:1rem;margin:0 0 1rem}
main>.page-form{background:#fff;border:1px solid var(--line);border-radius:.5rem;padding:1rem}
.field{display:flex;flex-direction:column;gap:.25rem}
label{font-weight:600}
input{font:inherit;width:100%;padding:.6rem .7rem;border:1px solid #767676;border-radius:.35rem;background:#fff;color:var(--ink)}
.invalid input{border:2px solid var(--danger)}
.hint{margin:0;color:var(--muted);font-size:.9rem}
.field-error,.form-error{margin:0;color:var(--danger);font-weight:600}
.form-error{padding:.6rem .75rem;border:1px solid var(--danger);border-radius:.35rem;background:#fff5f4}
button{font:inherit;font-weight:600;min-height:2.75rem;padding:.55rem 1rem;border:2px solid var(--accent);border-radius:.35rem;background:var(--accent);color:var(--on-accent);cursor:pointer;align-self:flex-start}
button.secondary{background:#fff;color:var(--ink);border-color:#767676}
button.danger{background:var(--danger);border-color:var(--danger);color:#fff}
.links{list-style:none;padding:0;margin:0;display:flex;flex-direction:column;gap:.5rem}
.notice{padding:.75rem;border-radius:.35rem;border:1px solid var(--ok);background:#ecfdf3;color:var(--ok)}
.notice.info{border-color:var(--line);background:#fff;color:var(--ink)}
.badge{display:inline-block;margin-left:.5rem;padding:0 .45rem;border-radius:1rem;font-size:.85rem;font-weight:600;border:1px solid currentColor}
.badge.ok{color:var(--ok)}
.badge.warn{color:var(--warn)}
.email{word-break:break-all}
.sessions{list-style:none;padding:0;margin:0 0 1rem}
.session{display:flex;flex-wrap:wrap;align-items:center;justify-content:space-between;gap:.5rem;padding:.75rem 0;border-bottom:1px solid var(--line)}
.session:last-child{border-bottom:0}
.meta{color:var(--muted);font-size:.9rem}
.session-end{margin:0}
.passkeys{list-style:none;padding:0;margin:0 0 1rem}
.passkey{padding:.75rem 0;border-bottom:1px solid var(--line)}
.passkey:last-child{border-bottom:0}
.passkey-name{word-break:break-word}
.passkey-manage{margin-top:.5rem}
.passkey-manage summary{cursor:pointer;color:var(--link);font-weight:600;padding:.25rem 0}
.passkey-manage[open] summary{margin-bottom:.5rem}
.passkey-manage .page-form{padding:.75rem;border:1px solid var(--line);border-radius:.35rem}
.passkey-sign-in{margin:0 0 1rem}
.passkey-sign-in p{margin:0 0 .5rem}
button:disabled{opacity:.6;cursor:progress}
.qr{display:block;width:220px;height:220px;margin:0 0 1rem;background:#fff;border:1px solid var(--line)}
.secret{word-break:break-all;font-size:1rem}
.recovery-codes{columns:2;column-gap:2rem;padding-left:1.5rem;font-size:1.05rem;background:#fff;border:1px solid var(--line);border-radius:.5rem;padding:1rem 1rem 1rem 2.5rem}
.site-footer{padding:1rem;text-align:center}
.languages{list-style:none;display:flex;justify-content:center;gap:1rem;margin:0;padding:0}
.visually-hidden{position:absolute;width:1px;height:1px;padding:0;margin:-1px;overflow:hidden;clip:rect(0,0,0,0);white-space:nowrap;border:0}
@media (max-width:30rem){main{padding:1rem .75rem}h1{font-size:1.4rem}button{width:100%}.session-end,.session-end button{width:100%}.recovery-codes{columns:1}}
`;
}
