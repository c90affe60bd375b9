/** An email as written by notifications/ and sent through the Mailer port. */
export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  html: string;
}
