/** Splits `host:port` (or `[v6]:port`) into its parts; throws a 400 ProxyApiError when malformed. */
import { ProxyApiError } from './api-error.js';

export interface HostPort {
  host: string;
  port: number;
}

export function parseHostPort(value: string, field: string): HostPort {
  const colon = value.lastIndexOf(':');
  const host = value.slice(0, colon).replace(/^\[(.*)\]$/, '$1');
  const port = Number(value.slice(colon + 1));
  if (colon < 0 || !Number.isInteger(port) || port < 0 || port > 65535 || value.slice(colon + 1) === '') {
    throw new ProxyApiError(`${field}: expected host:port, got ${JSON.stringify(value)}`, 400);
  }
  return { host: host === '' ? '127.0.0.1' : host, port };
}

export function formatHostPort({ host, port }: HostPort): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}
