// Lint: ESLint recommended + typescript-eslint recommended, plus the Pulumi rules (Outputs in template
// literals), which need type information: the project service reuses tsconfig.json.
import js from "@eslint/js";
import tseslint from "typescript-eslint";
import pulumi from "@pulumi/eslint-plugin";

export default tseslint.config(
    { ignores: ["node_modules/**", "**/node_modules/**", "**/*.js", "**/*.mjs"] },
    js.configs.recommended,
    ...tseslint.configs.recommended,
    {
        files: ["**/*.ts"],
        languageOptions: {
            parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
        },
        plugins: { "@pulumi": pulumi },
        rules: {
            "@pulumi/no-output-in-template-literal": "error",
            "@pulumi/no-output-instance-in-template-literal": "error",
            // Mock monitors, policy args and parsed YAML are untyped by nature.
            "@typescript-eslint/no-explicit-any": "off",
            "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrors: "none" }],
            // Pulumi programs register resources for their side effects: `new X(...)` without using the result is normal.
            "no-new": "off",
            // Provider packages file by file (`@pulumi/aws/s3/bucket`): one index import loads every resource's
            // types and doubles the type-check's time and memory (see README, Performance).
            "no-restricted-imports": [
                "error",
                {
                    paths: ["@pulumi/aws", "@pulumi/gcp", "@pulumi/kubernetes", "@pulumi/vault", "@pulumi/random"].map((name) => ({
                        name,
                        message: "import the resource's own module, e.g. @pulumi/aws/s3/bucket",
                    })),
                },
            ],
        },
    },
);
