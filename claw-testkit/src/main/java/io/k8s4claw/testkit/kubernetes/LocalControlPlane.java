package io.k8s4claw.testkit.kubernetes;

import io.k8s4claw.testkit.install.CachedInstall;
import io.k8s4claw.testkit.process.PeerProcesses;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A real Kubernetes control plane on loopback for tests and {@code claw dev}: etcd, kube-apiserver and
 * kube-controller-manager built by {@link ControlPlaneInstaller}, started in a fresh directory with per-run
 * credentials, stopped by {@link #close()}.
 *
 * <ul>
 *   <li>Credentials: the apiserver generates its own serving certificate and CA in its cert directory (the file the
 *       clients trust); an admin bearer token in {@code system:masters} (static token file); a service-account
 *       signing key generated per run, which the controller manager's token controller shares.</li>
 *   <li>Authorization is RBAC (only the admin is a master), so a client given a service account's token is held to
 *       the roles bound to it, as in a cluster. Admission is the apiserver's default set, with
 *       {@code PodSecurity}.</li>
 *   <li>The audit log ({@link #audit()}) records every request at Metadata level: tests count requests and writes
 *       per client from it.</li>
 *   <li>There is no kubelet and no scheduler: pods stay unscheduled until a test plays the kubelet (see the
 *       testkit docs). The controller manager runs every default controller (StatefulSet, garbage collector,
 *       namespace, service-account, PV binder, …).</li>
 *   <li>etcd runs with {@code --unsafe-no-fsync} in the run directory: a test cluster loses nothing it needs when the
 *       machine crashes, and fsync latency would measure this VM's disk, not the operator.</li>
 * </ul>
 */
public final class LocalControlPlane implements AutoCloseable {

    /**
     * How to start. {@code controllerQps} is the controller manager's client rate (its default, 20/s, starves a
     * 1,000-Claw run); {@code profiling} serves kube-apiserver's Go profiles at {@code /debug/pprof} (benchmarks);
     * {@code apiserverGogc} is kube-apiserver's {@code GOGC} (0: Go's default, 100), for measuring what its garbage
     * collector costs.
     */
    public record Options(
            boolean controllerManager, int controllerQps, Duration startTimeout, boolean profiling, int apiserverGogc) {

        public static Options defaults() {
            return new Options(true, 200, Duration.ofSeconds(90), false, 0);
        }

        public Options withControllerQps(int qps) {
            return new Options(controllerManager, qps, startTimeout, profiling, apiserverGogc);
        }

        public Options withProfiling(boolean on) {
            return new Options(controllerManager, controllerQps, startTimeout, on, apiserverGogc);
        }

        public Options withApiserverGogc(int gogc) {
            return new Options(controllerManager, controllerQps, startTimeout, profiling, gogc);
        }
    }

    /** What {@link #kubectl(String...)} printed. */
    public record CommandResult(int exitCode, String stdout, String stderr) {

        public boolean ok() {
            return exitCode == 0;
        }
    }

    /** An answer of the apiserver to {@link #request}. */
    public record ApiResponse(int status, String body) {}

    private static final String ADMIN_USER = "k8s4claw-admin";
    private static LocalControlPlane shared;

    private final ControlPlaneBinaries binaries;
    private final Path runDir;
    private final String adminToken;
    private final int apiserverPort;
    private final List<Process> processes = new ArrayList<>();
    private final AuditLog audit;
    private Process etcd;
    private Process apiserver;
    private Process controllerManager;
    private Path caFile;
    private Path adminKubeconfig;
    private HttpClient adminHttp;

    private LocalControlPlane(ControlPlaneBinaries binaries, Path runDir, int apiserverPort) {
        this.binaries = binaries;
        this.runDir = runDir;
        this.apiserverPort = apiserverPort;
        this.adminToken = PeerProcesses.randomHexSecret();
        this.audit = new AuditLog(runDir.resolve("audit.log"));
    }

    /**
     * One control plane per JVM, started on first use (building the binaries if needed) and stopped when the JVM
     * exits; tests share it and keep apart by namespace.
     */
    public static synchronized LocalControlPlane shared() {
        if (shared == null) {
            shared = start(ControlPlaneInstaller.ensureBuilt(), Options.defaults());
            LocalControlPlane started = shared;
            Runtime.getRuntime().addShutdownHook(new Thread(started::close, "control-plane-stop"));
        }
        return shared;
    }

    /** Starts a new control plane; on a port taken meanwhile by another process it tries again on fresh ports. */
    public static LocalControlPlane start(ControlPlaneBinaries binaries, Options options) {
        for (String bin : List.of("etcd", "kube-apiserver", "kube-controller-manager", "kubectl")) {
            if (!Files.isExecutable(binaries.dir().resolve(bin))) {
                throw new IllegalStateException(
                        binaries.dir().resolve(bin) + " is missing: build the control plane with "
                                + "ControlPlaneInstaller.ensureBuilt() (needs Go and the Go module proxy)");
            }
        }
        IllegalStateException last = null;
        for (int attempt = 0; attempt < 3; attempt++) {
            Path runDir;
            try {
                runDir = Files.createTempDirectory("k8s4claw-control-plane-");
            } catch (IOException e) {
                throw new UncheckedIOException("cannot create a directory for the control plane", e);
            }
            LocalControlPlane plane = new LocalControlPlane(binaries, runDir, PeerProcesses.freeLoopbackPort());
            try {
                plane.startProcesses(options);
                return plane;
            } catch (PortClash e) {
                plane.close();
                last = new IllegalStateException(e.getMessage());
            } catch (RuntimeException e) {
                plane.close();
                throw e;
            }
        }
        throw last;
    }

    /** A port another process took between our probe and the component's bind. */
    private static final class PortClash extends RuntimeException {
        PortClash(String message) {
            super(message);
        }
    }

    private void startProcesses(Options options) {
        try {
            int etcdClient = PeerProcesses.freeLoopbackPort();
            int etcdPeer = PeerProcesses.freeLoopbackPort();
            ServiceAccountKeys keys = ServiceAccountKeys.generate(runDir);
            Path tokens = runDir.resolve("tokens.csv");
            Files.writeString(
                    tokens, adminToken + "," + ADMIN_USER + ",uid-admin,\"system:masters\"\n", StandardCharsets.UTF_8);
            Path policy = runDir.resolve("audit-policy.yaml");
            Files.writeString(policy, """
                    apiVersion: audit.k8s.io/v1
                    kind: Policy
                    omitStages: ["RequestReceived", "ResponseStarted"]
                    rules:
                    - level: Metadata
                    """, StandardCharsets.UTF_8);
            String etcdUrl = "http://127.0.0.1:" + etcdClient;
            etcd = launch(
                    "etcd",
                    List.of(
                            binaries.etcd().toString(),
                            "--name=default",
                            "--data-dir=" + runDir.resolve("etcd-data"),
                            "--listen-client-urls=" + etcdUrl,
                            "--advertise-client-urls=" + etcdUrl,
                            "--listen-peer-urls=http://127.0.0.1:" + etcdPeer,
                            "--initial-advertise-peer-urls=http://127.0.0.1:" + etcdPeer,
                            "--initial-cluster=default=http://127.0.0.1:" + etcdPeer,
                            "--unsafe-no-fsync",
                            "--quota-backend-bytes=8589934592",
                            "--log-level=warn"));
            Path certDir = runDir.resolve("apiserver-certs");
            apiserver = launch(
                    "kube-apiserver",
                    options.apiserverGogc() > 0 ? Map.of("GOGC", String.valueOf(options.apiserverGogc())) : Map.of(),
                    List.of(
                            binaries.kubeApiserver().toString(),
                            "--etcd-servers=" + etcdUrl,
                            "--bind-address=127.0.0.1",
                            "--advertise-address=127.0.0.1",
                            "--secure-port=" + apiserverPort,
                            "--cert-dir=" + certDir,
                            "--token-auth-file=" + tokens,
                            "--authorization-mode=RBAC",
                            "--service-account-issuer=https://kubernetes.default.svc.cluster.local",
                            "--service-account-key-file=" + keys.publicKey(),
                            "--service-account-signing-key-file=" + keys.privateKey(),
                            "--service-cluster-ip-range=10.96.0.0/16",
                            "--audit-policy-file=" + policy,
                            "--audit-log-path=" + audit.file(),
                            "--audit-log-maxbackup=0",
                            "--audit-log-maxsize=0",
                            "--profiling=" + options.profiling()));
            caFile = certDir.resolve("apiserver.crt");
            HttpClient http = awaitFile(caFile, options.startTimeout(), apiserver, "kube-apiserver");
            adminHttp = http;
            awaitHealthy(
                    http, serverUrl() + "/readyz", adminToken, options.startTimeout(), apiserver, "kube-apiserver");
            adminKubeconfig = writeKubeconfig("admin", adminToken);
            if (options.controllerManager()) {
                int kcmPort = PeerProcesses.freeLoopbackPort();
                Path kcmCerts = runDir.resolve("controller-manager-certs");
                controllerManager = launch(
                        "kube-controller-manager",
                        List.of(
                                binaries.kubeControllerManager().toString(),
                                "--kubeconfig=" + adminKubeconfig,
                                "--bind-address=127.0.0.1",
                                "--secure-port=" + kcmPort,
                                "--cert-dir=" + kcmCerts,
                                "--leader-elect=false",
                                "--service-account-private-key-file=" + keys.privateKey(),
                                "--root-ca-file=" + caFile,
                                // Each controller as its own ServiceAccount
                                // (system:serviceaccount:kube-system:<controller>), with the
                                // bootstrap roles, as in a cluster: the audit log then tells the garbage collector from
                                // a test.
                                "--use-service-account-credentials=true",
                                "--kube-api-qps=" + options.controllerQps(),
                                "--kube-api-burst=" + options.controllerQps() * 2,
                                "--concurrent-statefulset-syncs=10",
                                "--concurrent-gc-syncs=20",
                                "--profiling=false"));
                HttpClient kcmHttp = awaitFile(
                        kcmCerts.resolve("kube-controller-manager.crt"),
                        options.startTimeout(),
                        controllerManager,
                        "kube-controller-manager");
                awaitHealthy(
                        kcmHttp,
                        "https://127.0.0.1:" + kcmPort + "/healthz",
                        null,
                        options.startTimeout(),
                        controllerManager,
                        "kube-controller-manager");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("starting the control plane in " + runDir + " failed: " + e.getMessage(), e);
        }
    }

    private Process launch(String name, List<String> command) throws IOException {
        return launch(name, Map.of(), command);
    }

    private Process launch(String name, Map<String, String> environment, List<String> command) throws IOException {
        Path log = runDir.resolve(name + ".log");
        ProcessBuilder builder =
                new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().putAll(environment);
        Process process = builder.start();
        processes.add(process);
        return process;
    }

    /** Waits until the component wrote its self-signed certificate and returns a client that trusts it. */
    private HttpClient awaitFile(Path cert, Duration timeout, Process process, String name) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!(Files.isRegularFile(cert) && sizeOf(cert) > 0)) {
            checkAlive(process, name);
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(
                        name + " wrote no certificate to " + cert + " within " + timeout + "; see " + logOf(name));
            }
            PeerProcesses.pause(50);
        }
        PeerProcesses.pause(50); // the certificate and its key are written one after the other
        return HttpClient.newBuilder()
                .sslContext(trusting(cert))
                .connectTimeout(Duration.ofSeconds(2))
                .build();
    }

    private void awaitHealthy(
            HttpClient http, String url, String token, Duration timeout, Process process, String name) {
        long deadline = System.nanoTime() + timeout.toNanos();
        String lastAnswer = "no answer";
        while (true) {
            checkAlive(process, name);
            try {
                HttpRequest.Builder request =
                        HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5));
                if (token != null) {
                    request.header("Authorization", "Bearer " + token);
                }
                HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() == 200) {
                    return;
                }
                lastAnswer = "HTTP " + response.statusCode();
            } catch (IOException e) {
                lastAnswer = e.toString();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for " + name, e);
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(name + " was not healthy at " + url + " within " + timeout + " (last: "
                        + lastAnswer + "); see " + logOf(name));
            }
            PeerProcesses.pause(100);
        }
    }

    private void checkAlive(Process process, String name) {
        if (process.isAlive()) {
            return;
        }
        String tail = CachedInstall.tail(logOf(name), 15);
        if (tail.contains("address already in use")) {
            throw new PortClash(name + " could not bind its port (address already in use); another process took it");
        }
        throw new IllegalStateException(
                name + " exited with code " + process.exitValue() + " at start; see " + logOf(name) + ":\n" + tail);
    }

    private Path logOf(String name) {
        return runDir.resolve(name + ".log");
    }

    private static long sizeOf(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            return 0;
        }
    }

    private static SSLContext trusting(Path pemFile) {
        try (InputStream in = Files.newInputStream(pemFile)) {
            KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
            store.load(null, null);
            int i = 0;
            for (Certificate cert : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                store.setCertificateEntry("cert-" + i++, cert);
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(store);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, tmf.getTrustManagers(), null);
            return context;
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot read the certificate " + pemFile + ": " + e.getMessage(), e);
        }
    }

    /** Writes a kubeconfig for a bearer token (the admin's, or a service account's) and returns its path. */
    public Path writeKubeconfig(String name, String token) {
        Path file = runDir.resolve("kubeconfig-" + name);
        try {
            Files.writeString(
                    file, """
                    apiVersion: v1
                    kind: Config
                    clusters:
                    - name: local
                      cluster:
                        server: %s
                        certificate-authority: %s
                    users:
                    - name: %s
                      user:
                        token: %s
                    contexts:
                    - name: %s
                      context:
                        cluster: local
                        user: %s
                    current-context: %s
                    """.formatted(serverUrl(), caFile, name, token, name, name, name), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return file;
    }

    public String serverUrl() {
        return "https://127.0.0.1:" + apiserverPort;
    }

    public String adminToken() {
        return adminToken;
    }

    /** The CA the apiserver's serving certificate chains to (PEM). */
    public Path caCertificate() {
        return caFile;
    }

    public Path adminKubeconfig() {
        return adminKubeconfig;
    }

    public Path runDirectory() {
        return runDir;
    }

    public ControlPlaneBinaries binaries() {
        return binaries;
    }

    public AuditLog audit() {
        return audit;
    }

    /** The processes' handles, for CPU accounting: etcd, kube-apiserver, kube-controller-manager (when started). */
    public List<ProcessHandle> processHandles() {
        return processes.stream().map(Process::toHandle).toList();
    }

    public ProcessHandle apiserverProcess() {
        return apiserver.toHandle();
    }

    public ProcessHandle etcdProcess() {
        return etcd.toHandle();
    }

    public ProcessHandle controllerManagerProcess() {
        return controllerManager.toHandle();
    }

    /**
     * Sends one request to the apiserver as the admin ({@code body} JSON, or YAML when it does not start with
     * <code>{</code>; null for none) and returns its answer, whatever the status.
     */
    public ApiResponse request(String method, String path, String body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(serverUrl() + path))
                .timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + adminToken)
                .header("Accept", "application/json");
        if (body == null) {
            request.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            String type = "PATCH".equals(method)
                    ? "application/merge-patch+json"
                    : body.stripLeading().startsWith("{") ? "application/json" : "application/yaml";
            request.header("Content-Type", type).method(method, HttpRequest.BodyPublishers.ofString(body));
        }
        try {
            HttpResponse<String> response = adminHttp.send(request.build(), HttpResponse.BodyHandlers.ofString());
            return new ApiResponse(response.statusCode(), response.body());
        } catch (IOException e) {
            throw new UncheckedIOException(method + " " + path + " failed: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** Runs the built kubectl as the admin; {@code stdin} may be null. */
    public CommandResult kubectl(String stdin, String... args) {
        return kubectlAs(adminKubeconfig, stdin, args);
    }

    /** Runs the built kubectl with the given kubeconfig. */
    public CommandResult kubectlAs(Path kubeconfig, String stdin, String... args) {
        List<String> command = new ArrayList<>(List.of(binaries.kubectl().toString(), "--kubeconfig=" + kubeconfig));
        command.addAll(List.of(args));
        try {
            Path out = Files.createTempFile(runDir, "kubectl-", ".out");
            Path err = Files.createTempFile(runDir, "kubectl-", ".err");
            Process process = new ProcessBuilder(command)
                    .redirectOutput(out.toFile())
                    .redirectError(err.toFile())
                    .start();
            try (var in = process.getOutputStream()) {
                if (stdin != null) {
                    in.write(stdin.getBytes(StandardCharsets.UTF_8));
                }
            }
            if (!process.waitFor(120, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException("kubectl " + String.join(" ", args) + " did not finish within 120 s");
            }
            CommandResult result = new CommandResult(process.exitValue(), Files.readString(out), Files.readString(err));
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
            return result;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted running kubectl", e);
        }
    }

    /** Stops every process (SIGTERM, then SIGKILL after 10 s) and removes the run directory. */
    @Override
    public synchronized void close() {
        for (int i = processes.size() - 1; i >= 0; i--) {
            PeerProcesses.stopTree(processes.get(i), false, Duration.ofSeconds(10));
        }
        processes.clear();
        if (!Boolean.getBoolean("k8s4claw.controlplane.keep")) {
            try {
                CachedInstall.deleteRecursively(runDir);
            } catch (IOException ignored) {
                // a leftover temp directory is harmless
            }
        }
    }
}
