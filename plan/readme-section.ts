import * as fs from "fs";
import * as path from "path";

/**
 * Rewrites a generated README section between `<!-- <name>:start … -->` and `<!-- <name>:end -->` when `--write` is
 * given; otherwise (or without the markers) prints the content.
 */
export function writeReadmeSection(name: string, content: string, what: string): void {
    const file = path.join(__dirname, "..", "README.md");
    const readme = fs.readFileSync(file, "utf8");
    const start = readme.indexOf(`<!-- ${name}:start`);
    const end = readme.indexOf(`<!-- ${name}:end -->`);
    if (!process.argv.includes("--write") || start < 0 || end < 0) {
        console.log(content);
        return;
    }
    const head = readme.slice(0, readme.indexOf("\n", start) + 1);
    fs.writeFileSync(file, head + content + "\n" + readme.slice(end));
    console.log(`README.md: ${what} regenerated`);
}
