import type { ResourceValidationPolicy } from "@pulumi/policy";
import { LABEL_PATHS } from "../../components/labels";
import { at, describe } from "./util";

const REQUIRED_LABELS = ["env", "team", "cost-center", "managed-by"];

/** Required labels missing on a resource, or undefined when its type is not taggable (not in LABEL_PATHS). */
function missingLabels(type: string, props: Record<string, any>): string[] | undefined {
    const path = LABEL_PATHS[type];
    if (!path) return undefined;
    const labels = at(props, path) ?? {};
    return REQUIRED_LABELS.filter((k) => typeof labels[k] !== "string" || labels[k] === "");
}

export const requiredLabels: ResourceValidationPolicy = {
    name: "required-labels",
    description: `Every taggable resource carries the ownership labels/tags ${REQUIRED_LABELS.join(", ")}.`,
    enforcementLevel: "mandatory",
    validateResource: (args, report) => {
        const missing = missingLabels(args.type, args.props);
        if (missing === undefined) return args.notApplicable();
        if (missing.length) report(`${describe(args)}: ${LABEL_PATHS[args.type]} lacks ${missing.join(", ")}.`);
    },
};
