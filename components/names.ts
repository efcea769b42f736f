/**
 * The suffix of names that cannot be reused after a destroy (KMS key rings and keys can never be deleted, a quota
 * preference's delete is a no-op, a deleted workload identity pool id stays reserved for 30 days): empty for the
 * first generation of a stack, `-g<n>` once `generation` is set after a destroy.
 */
export function generationSuffix(cfg: { generation?: number }): string {
    return cfg.generation === undefined ? "" : `-g${cfg.generation}`;
}
