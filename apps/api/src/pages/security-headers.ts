import type { Middleware } from 'koa';
import helmet from 'koa-helmet';
import type { PageSettings } from './page-settings';

/**
 * The headers of every page and of its stylesheet, through helmet:
 * - a Content-Security-Policy that runs only this origin's script files (the passkey
 *   ceremonies; no inline script, no handler attribute, no eval), lets them call only this
 *   origin, loads styles and images only from this origin (the QR code is a data: image, the logo's
 *   origin is added when it is elsewhere), posts forms only here or to a return_to origin
 *   (Chrome checks the redirect after a post too), and lets no page frame them;
 * - X-Frame-Options DENY for browsers older than frame-ancestors;
 * - Referrer-Policy same-origin: a reset link's token never leaves for another site in a
 *   Referer (no-referrer would make Chrome send `Origin: null` with the forms' posts, which
 *   the Origin check rightly refuses);
 * - X-Content-Type-Options nosniff, and helmet's other defaults;
 * - Strict-Transport-Security only when the cookies are Secure (the service is behind HTTPS).
 */
export function securityHeaders(settings: PageSettings, secure: boolean): Middleware {
  const logoOrigin = settings.logoUrl?.startsWith('https://') ? [new URL(settings.logoUrl).origin] : [];
  return helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        'default-src': ["'none'"],
        'script-src': ["'self'"],
        'connect-src': ["'self'"],
        'style-src': ["'self'"],
        'img-src': ["'self'", 'data:', ...logoOrigin],
        'form-action': ["'self'", ...settings.returnToOrigins],
        'frame-ancestors': ["'none'"],
        'base-uri': ["'none'"],
      },
    },
    xFrameOptions: { action: 'deny' },
    referrerPolicy: { policy: 'same-origin' },
    strictTransportSecurity: secure ? { maxAge: 31_536_000, includeSubDomains: false } : false,
  });
}
