/** Published once when a provider's health turns `down` (the third failed probe in a row). */
export const INTEGRATION_DOWN = 'integration.down';
/** Published once when a `down` provider answers a health probe again. */
export const INTEGRATION_RECOVERED = 'integration.recovered';

/** The payload of both transitions. */
export interface IntegrationHealthTransition {
  provider_id: string;
  provider_name: string;
  status: 'down' | 'healthy' | 'degraded';
  consecutive_failures: number;
  /** The last failed probe's error (down), or null (recovered). */
  error: string | null;
  response_time_ms: number | null;
}
