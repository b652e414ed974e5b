/** Injection tokens of flow-decomposer's providers (values built in bootstrap, before Nest starts). */
export const DECOMPOSER_SERVICE = 'DECOMPOSER_SERVICE';
export const DRY_RUN = 'DRY_RUN';
