// A multi-step MCP session against the built jar, on the official TypeScript SDK client (a client
// nobody here wrote): background exec -> exec_output while it runs -> the finish notification ->
// exec_collect shows its output -> exec of `sleep 300` -> exec_kill. Exits non-zero on any wrong
// answer. Usage: node .ci/mcp-session.mjs [path/to/execpool.jar]   (run by .ci/mcp-clients)
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
// The SDK is installed in .ci/node (pinned in its package.json), not beside this script.
const sdk = (p) => import(pathToFileURL(path.join(here, "node/node_modules/@modelcontextprotocol/sdk/dist/esm", p)).href);
const { Client } = await sdk("client/index.js");
const { StdioClientTransport } = await sdk("client/stdio.js");
const { LoggingMessageNotificationSchema } = await sdk("types.js");

const jar = process.argv[2] ?? path.join(here, "..", "target", "execpool.jar");
const BOUND_MS = 30_000;

function fail(message) {
  console.error(`mcp-session: FAIL: ${message}`);
  process.exit(1);
}
function check(condition, message) {
  if (!condition) fail(message);
  console.log(`mcp-session: ok: ${message}`);
}
const text = (result) => result.content.filter((c) => c.type === "text").map((c) => c.text).join("\n");

async function until(what, probe) {
  const deadline = Date.now() + BOUND_MS;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const transport = new StdioClientTransport({
  command: "java",
  args: ["-XX:+IgnoreUnrecognizedVMOptions", "--sun-misc-unsafe-memory-access=allow", "-jar", jar, "mcp"],
  stderr: "inherit",
});
const client = new Client({ name: "execpool-ci-session", version: "1.0.0" });
const notifications = [];
client.setNotificationHandler(LoggingMessageNotificationSchema, (n) => notifications.push(n.params));
await client.connect(transport);
const call = async (name, args) => {
  const result = await client.callTool({ name, arguments: args }, undefined, { timeout: BOUND_MS });
  if (result.isError) fail(`${name} ${JSON.stringify(args)} answered an error: ${text(result)}`);
  return result;
};

try {
  // 1. A background exec: it outlives its 200 ms yield.
  const started = await call("exec", { command: "echo begun; sleep 2; echo done", yield_ms: 200 });
  const taskId = started.structuredContent?.task_id;
  check(typeof taskId === "string" && text(started).includes("still running"), `exec yields task ${taskId} while it runs`);

  // 2. exec_output while it runs.
  const chunk = await until("exec_output to show 'begun' while the task runs", async () => {
    const r = await call("exec_output", { task_id: taskId });
    return r.structuredContent.running === true && r.structuredContent.stdout.includes("begun") ? r : null;
  });
  check(text(chunk).includes("begun"), "exec_output shows the first line while the task still runs");

  // 3. The finish notification, with no polling of the server.
  const note = await until("the finish notification", async () =>
    notifications.find((n) => n.logger === "execpool" && String(n.data).includes(`task ${taskId} finished`)));
  check(note.level === "info" && String(note.data).includes("EXITED, exit code 0"), `notification: ${note.data}`);

  // 4. exec_collect hands over the result, once.
  const collected = await call("exec_collect", {});
  check(text(collected).includes(`task ${taskId} finished: EXITED, exit code 0`) && text(collected).includes("done"),
    "exec_collect shows the result with 'done'");
  const again = await call("exec_collect", {});
  check(!text(again).includes(`task ${taskId} finished`), "a second exec_collect does not repeat it");

  // 5. A long command, killed.
  const slow = await call("exec", { command: "sleep 300", yield_ms: 100 });
  const slowId = slow.structuredContent.task_id;
  const killed = await call("exec_kill", { task_id: slowId });
  check(killed.structuredContent.killed === true, `exec_kill ${slowId} answers killed: true`);
  const waited = await call("exec_wait", { task_id: slowId, wait_ms: 20_000 });
  check(text(waited).includes("finished: KILLED"), "the killed task's result says KILLED");

  // 6. A bad argument is a tool error, and the server still answers.
  const bad = await client.callTool({ name: "exec", arguments: { command: "true", timeout_seconds: 0 } });
  check(bad.isError === true && text(bad).includes("timeout_seconds must be between 1 and"), `bad argument: ${text(bad)}`);
  const list = await call("exec_list", {});
  check(text(list).length > 0, "the server still answers after a tool error");
} finally {
  await client.close();
}
console.log("mcp-session: all checks passed");
