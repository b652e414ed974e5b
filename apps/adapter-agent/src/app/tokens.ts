/** Injection tokens of adapter-agent's providers (values built in bootstrap, before Nest starts). */
export const ADAPTER_HOST = 'ADAPTER_HOST';
export const ADVERTISED_ENDPOINT = 'ADVERTISED_ENDPOINT';
