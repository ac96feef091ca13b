/** A rendered mail, ready for a transport. */
export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  html?: string;
  /** Links the mail carries, logged by the file transport so local users can click them. */
  links?: string[];
}

export const MAIL_QUEUE = 'mail';
