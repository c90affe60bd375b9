import type { Child, FC } from 'hono/jsx';
import { LANGUAGES } from '../languages';
import { CATALOGS } from '../catalogs';
import { FORM_TOKEN_FIELD } from '../form-tokens';
import { PASSKEYS_SCRIPT, WEBAUTHN_SCRIPT, scriptHref } from '../page-scripts';
import type { Frame } from './frame';
import { pageHref } from './frame';

/**
 * The one layout: header (name or logo, sign-out), the page's heading and content, the
 * language switch. A page with passkey ceremonies loads their scripts (deferred files of
 * this origin: the CSP runs nothing else).
 */
export const Layout: FC<{ frame: Frame; title: string; passkeys?: boolean; children?: Child }> = ({ frame, title, passkeys, children }) => {
  const { t, lang, appName, logoUrl, signOutToken } = frame;
  return (
    <html lang={lang}>
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{`${title} · ${appName}`}</title>
        <link rel="stylesheet" href="pages.css" />
        {/* No icon: without this line the browser asks for /favicon.ico, which the service does not serve. */}
        <link rel="icon" href="data:," />
        {passkeys ? (
          <>
            <script src={scriptHref(WEBAUTHN_SCRIPT)} defer />
            <script src={scriptHref(PASSKEYS_SCRIPT)} defer />
          </>
        ) : null}
      </head>
      <body>
        <header class="site-header">
          <a class="brand" href="account">
            {logoUrl ? <img src={logoUrl} alt={appName} height="32" /> : appName}
          </a>
          {signOutToken ? (
            <form method="post" action="logout" class="sign-out">
              <input type="hidden" name={FORM_TOKEN_FIELD} value={signOutToken} />
              <button type="submit" class="secondary">
                {t.buttons.signOut}
              </button>
            </form>
          ) : null}
        </header>
        <main>
          <h1>{title}</h1>
          {children}
        </main>
        <footer class="site-footer">
          <nav aria-label={t.languageSwitch}>
            <ul class="languages">
              {LANGUAGES.map((code) => (
                <li>
                  {code === lang ? (
                    <span aria-current="true" lang={code}>
                      {CATALOGS[code].languageName}
                    </span>
                  ) : (
                    <a href={pageHref(frame.here, { lang: code })} lang={code} hreflang={code}>
                      {CATALOGS[code].languageName}
                    </a>
                  )}
                </li>
              ))}
            </ul>
          </nav>
        </footer>
      </body>
    </html>
  );
};
