/** The part of s3rver's API the tests use (it ships no types). */
declare module 's3rver' {
  export default class S3rver {
    constructor(opts: {
      address?: string;
      port?: number;
      silent?: boolean;
      directory: string;
      configureBuckets?: Array<{ name: string; configs?: Array<string | Buffer> }>;
    });
    run(): Promise<{ address: string; port: number }>;
    close(): Promise<void>;
  }
}
