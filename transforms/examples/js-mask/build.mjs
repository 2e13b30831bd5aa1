// Builds target/mask.wasm from mask.js with componentize-js (`npm ci` first; the version
// is pinned in package.json). Called directly rather than through `jco componentize`,
// which fails on these machines ("failed to get path metadata"); `http` and
// `fetch-event` are disabled, or the component would import wasi:http.
import { componentize } from "@bytecodealliance/componentize-js";
import { mkdir, readFile, writeFile } from "node:fs/promises";

const here = new URL(".", import.meta.url).pathname;
const { component } = await componentize(await readFile(`${here}mask.js`, "utf8"), {
  witPath: `${here}../../../wit`,
  worldName: "transform",
  disableFeatures: ["http", "fetch-event"],
});
await mkdir(`${here}target`, { recursive: true });
await writeFile(`${here}target/mask.wasm`, component);
console.log(`built target/mask.wasm (${component.length} bytes)`);
