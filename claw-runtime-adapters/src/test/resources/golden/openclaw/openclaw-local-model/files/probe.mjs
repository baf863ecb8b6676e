// Exec probe for the OpenClaw gateway (k8s4claw openclaw adapter). usage: node probe.mjs live|startup|ready
// The gateway binds 127.0.0.1, which a kubelet httpGet (pod IP) cannot reach, and its Control UI answers
// unknown paths with 200: so the JSON body is checked, not only the status code.
//   live     GET /healthz  -> 200 {"ok":true,"status":"live"}
//   startup  GET /startupz -> 200 {"ok":true,"status":"started"}
//   ready    GET /readyz   -> 200 {"ready":true}
const checks = {
  live: ["/healthz", (b) => b.ok === true && b.status === "live"],
  startup: ["/startupz", (b) => b.ok === true && b.status === "started"],
  ready: ["/readyz", (b) => b.ready === true],
};
const mode = process.argv[2] ?? "live";
const check = checks[mode];
if (!check) {
  console.log(`unknown probe ${mode} (live|startup|ready)`);
  process.exit(2);
}
const port = process.env.OPENCLAW_GATEWAY_PORT || "18789";
const [path, accept] = check;
try {
  const response = await fetch(`http://127.0.0.1:${port}${path}`, {
    headers: { accept: "application/json" },
    signal: AbortSignal.timeout(Number(process.env.CLAW_PROBE_TIMEOUT_MS || 4000)),
  });
  const text = await response.text();
  let body;
  try {
    body = JSON.parse(text);
  } catch {
    console.log(`openclaw ${mode}: HTTP ${response.status}, not JSON`);
    process.exit(1);
  }
  const ok = response.status === 200 && body !== null && typeof body === "object" && accept(body);
  console.log(`openclaw ${mode}: HTTP ${response.status} ${JSON.stringify(body).slice(0, 200)}`);
  process.exit(ok ? 0 : 1);
} catch (e) {
  console.log(`openclaw ${mode}: ${e?.name ?? "error"}: ${e?.message ?? e}`);
  process.exit(1);
}
