import { parser } from "@prometheus-io/lezer-promql";

/** Parses PromQL with Prometheus' own grammar (@prometheus-io/lezer-promql): syntax errors and the metric names selected. */
export function parsePromql(expr: string): { problems: string[]; metrics: string[] } {
    const problems: string[] = [];
    const metrics = new Set<string>();
    parser.parse(expr).iterate({
        enter(n) {
            if (n.type.isError) problems.push(`syntax error at ${n.from}: ${JSON.stringify(expr.slice(Math.max(0, n.from - 10), n.from + 10))}`);
            if (n.name === "VectorSelector") {
                const id = n.node.getChild("Identifier");
                if (id) metrics.add(expr.slice(id.from, id.to));
                else problems.push(`selector without a metric name at ${n.from}`);
            }
        },
    });
    if (metrics.size === 0 && problems.length === 0 && !/vector\(|time\(\)/.test(expr)) problems.push("no metric name");
    return { problems, metrics: [...metrics] };
}

/** The syntax problems of a PromQL expression (none when it parses). */
export function promqlProblems(expr: string): string[] {
    return parsePromql(expr).problems;
}
