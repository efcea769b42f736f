import { parseArgs, type ParseArgsConfig } from "util";

type Options = NonNullable<ParseArgsConfig["options"]>;
type Values<O extends Options> = ReturnType<typeof parseArgs<{ args: string[]; options: O }>>["values"];

/**
 * The command-line options of a plan tool. A bad option prints its message and the usage and gives exit code 2,
 * `--help`/`-h` (which `options` declares) prints the usage and gives 0: the caller returns a number as its exit code.
 */
export function parseOptions<const O extends Options>(argv: string[], options: O, usage: () => string): Values<O> | number {
    let values: Values<O>;
    try {
        ({ values } = parseArgs({ args: argv, options }));
    } catch (e) {
        console.error(`${(e as Error).message}\n\n${usage()}`);
        return 2;
    }
    if ((values as { help?: boolean }).help) {
        console.log(usage());
        return 0;
    }
    return values;
}
