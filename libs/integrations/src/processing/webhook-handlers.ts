// The registry lives in the kernel so that the libraries owning an event's effect (billing, mail) register handlers
// without importing integrations; these names stay importable from here.
export {
  InvalidWebhookPayload,
  PayloadReader,
  type ReceivedWebhookEvent,
  type WebhookHandler,
  WebhookHandlerRegistry,
  webhookFields,
} from '@atrium/platform';
