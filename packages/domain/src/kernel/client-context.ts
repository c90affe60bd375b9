/** Who is asking, as far as the transport can tell: used for throttling and auditing. */
export interface ClientContext {
  /** The client's address (already resolved through trusted proxies). */
  ip?: string;
  userAgent?: string;
  /** Who acts for someone else (`api_key:12`, a program through the admin API): recorded in the audit trail. */
  actor?: string;
}
