const minute = new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' });
const day = new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeZone: 'UTC' });

/** An instant for people, in UTC and saying so: `29 Nov 2026, 08:16 UTC` (notifications name no user's time zone). */
export const formatUtcMinute = (at: Date): string => `${minute.format(at)} UTC`;

/** The UTC day of an instant for people: `29 Nov 2026`. */
export const formatUtcDay = (at: Date): string => day.format(at);
