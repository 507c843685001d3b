// Run by tools/build_site.py (`make site`) with Node.js: boots the site's own Pyodide (the very files a
// browser gets), loads what a notebook's kernel loads, and runs site/bytecode.py inside it, which writes
// the bytecode of every module a session imports into OUT.
//
//     node site/bytecode.js SITE OUT PACKAGES_JSON WHEELS_JSON
//
// SITE is build/site, OUT an empty folder, PACKAGES_JSON Pyodide's packages to load (the kernel's own
// list), WHEELS_JSON the site's wheels (paths inside SITE). Nothing is fetched: every file is SITE's.
"use strict";
const fs = require("fs");
const path = require("path");

async function main([site, out, packagesJson, wheelsJson]) {
  const started = Date.now();
  const { loadPyodide } = require(path.join(site, "static", "pyodide", "pyodide.js"));
  const pyodide = await loadPyodide({
    indexURL: path.join(site, "static", "pyodide") + path.sep,
    packages: JSON.parse(packagesJson),
    stdout: () => {}, // the kernel's start prints nothing worth keeping here
    stderr: (line) => process.stderr.write(line + "\n"),
  });
  for (const [mountpoint, root] of [["/site", site], ["/out", out]]) {
    pyodide.FS.mkdirTree(mountpoint);
    pyodide.FS.mount(pyodide.FS.filesystems.NODEFS, { root }, mountpoint);
  }
  pyodide.globals.set("WHEELS", JSON.parse(wheelsJson).map((wheel) => "/site/" + wheel));
  const script = fs.readFileSync(path.join(__dirname, "bytecode.py"), "utf8");
  const summary = pyodide.runPython(script, { filename: "site/bytecode.py" });
  if (summary.startsWith("FAILED")) throw new Error(summary);
  process.stdout.write(`${summary} in ${((Date.now() - started) / 1000).toFixed(0)} s\n`);
}

main(process.argv.slice(2)).catch((error) => {
  process.stderr.write(`${error && error.type ? error.type + ": " : ""}${error && error.message}\n`);
  process.exit(1);
});
