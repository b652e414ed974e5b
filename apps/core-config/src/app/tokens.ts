/** Injection tokens of core-config's providers (values built in bootstrap, before Nest starts). */
export const CONFIG_ROOT = 'CONFIG_ROOT';
export const DEVICES_SERVICE = 'DEVICES_SERVICE';
export const FLOWS_SERVICE = 'FLOWS_SERVICE';
export const EVENT_HUB = 'EVENT_HUB';
export const SERVICE_VERSION = 'SERVICE_VERSION';
