import type { Job, Queue } from 'bullmq';

/** The job once it has completed or failed for good: the signal that its processing is over. */
export async function settledJob(queue: Queue, jobId: string, timeoutMs = 15_000): Promise<Job> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const state = await queue.getJobState(jobId);
    // Read after the state: a job fetched before it finished has no return value yet, even if it finishes in between.
    if (state === 'completed' || state === 'failed') return (await queue.getJob(jobId))!;
    if (Date.now() > deadline) throw new Error(`job ${jobId} still ${state} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
