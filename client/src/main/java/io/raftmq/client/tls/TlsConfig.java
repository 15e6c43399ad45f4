package io.raftmq.client.tls;

import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * TLS settings of a remoting server's client-facing port (broker and NameServer), read from the same keys as the
 * official RocketMQ server's system properties (docs/security.md "TLS"). Certificates and keys are PEM files: the
 * certificate chain, its private key (PKCS#8, optionally encrypted with {@code keyPassword}) and, for a client
 * certificate check, the CA certificates clients' certificates must chain to.
 *
 * @param mode          disabled (default), permissive or enforcing ({@link TlsMode})
 * @param certPath      PEM certificate chain the server presents (required unless disabled)
 * @param keyPath       PEM PKCS#8 private key of that certificate (required unless disabled)
 * @param keyPassword   password of an encrypted key, or null
 * @param trustCertPath PEM CA certificates a client certificate must chain to (required when clientAuth is not
 *                      none)
 * @param clientAuth    none (default), optional or require: whether a client must present a certificate
 * @param clientEnable  the process's own outgoing remoting connections (a broker's to NameServers and to its
 *                      group's leader) speak TLS ({@code tls.enable}, the official client's switch)
 * @param clientTrustCertPath PEM CA certificates those connections trust (required when clientEnable)
 */
public record TlsConfig(TlsMode mode, String certPath, String keyPath, String keyPassword, String trustCertPath,
                        ClientAuth clientAuth, boolean clientEnable, String clientTrustCertPath) {
    public static final String MODE = "tls.server.mode";
    public static final String CERT_PATH = "tls.server.certPath";
    public static final String KEY_PATH = "tls.server.keyPath";
    public static final String KEY_PASSWORD = "tls.server.keyPassword";
    public static final String TRUST_CERT_PATH = "tls.server.trustCertPath";
    public static final String NEED_CLIENT_AUTH = "tls.server.need.client.auth";
    public static final String CLIENT_ENABLE = "tls.enable";
    public static final String CLIENT_TRUST_CERT_PATH = "tls.client.trustCertPath";
    /** Every key {@link #fromSettings} reads; a configuration's other {@code tls.} keys are errors. */
    public static final Set<String> KEYS = Set.of(MODE, CERT_PATH, KEY_PATH, KEY_PASSWORD, TRUST_CERT_PATH,
            NEED_CLIENT_AUTH, CLIENT_ENABLE, CLIENT_TRUST_CERT_PATH);
    /** The prefix of every TLS key: configuration loaders hand these keys to {@link #fromSettings}. */
    public static final String PREFIX = "tls.";

    public TlsConfig {
        if (mode == null || clientAuth == null) {
            throw new IllegalArgumentException("TLS mode and client auth are required");
        }
    }

    /** TLS off: the port speaks plain TCP as before. */
    public static TlsConfig disabled() {
        return new TlsConfig(TlsMode.DISABLED, null, null, null, null, ClientAuth.NONE, false, null);
    }

    /**
     * The TLS settings among {@code settings} (keys {@link #KEYS}; other keys are ignored except unknown ones
     * starting with {@link #PREFIX}, which are errors). Files are checked by {@link #serverContext()}.
     *
     * @throws IllegalArgumentException naming the key for an unknown key, mode or client-auth value
     */
    public static TlsConfig fromSettings(Map<String, String> settings) {
        Set<String> unknown = new TreeSet<>();
        for (String k : settings.keySet()) {
            if (k.startsWith(PREFIX) && !KEYS.contains(k)) {
                unknown.add(k);
            }
        }
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException("unknown TLS key(s) " + unknown + "; known: " + new TreeSet<>(KEYS));
        }
        TlsMode mode = TlsMode.parse(settings.getOrDefault(MODE, "disabled"));
        return new TlsConfig(mode, blankToNull(settings.get(CERT_PATH)), blankToNull(settings.get(KEY_PATH)),
                blankToNull(settings.get(KEY_PASSWORD)), blankToNull(settings.get(TRUST_CERT_PATH)),
                clientAuth(settings.getOrDefault(NEED_CLIENT_AUTH, "none")), bool(settings, CLIENT_ENABLE),
                blankToNull(settings.get(CLIENT_TRUST_CERT_PATH)));
    }

    private static boolean bool(Map<String, String> settings, String key) {
        String v = settings.getOrDefault(key, "false").trim();
        if (!v.equals("true") && !v.equals("false")) {
            throw new IllegalArgumentException(key + " must be true or false: '" + v + "'");
        }
        return Boolean.parseBoolean(v);
    }

    private static ClientAuth clientAuth(String text) {
        return switch (text.trim().toLowerCase(Locale.ROOT)) {
            case "none" -> ClientAuth.NONE;
            case "optional" -> ClientAuth.OPTIONAL;
            case "require" -> ClientAuth.REQUIRE;
            default -> throw new IllegalArgumentException(NEED_CLIENT_AUTH + " must be none, optional or require: '"
                    + text + "'");
        };
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.trim();
    }

    /** Whether the port speaks TLS at all. */
    public boolean enabled() {
        return mode != TlsMode.DISABLED;
    }

    /** These settings as configuration keys and values (for config dumps; the key password is masked). */
    public Map<String, String> toSettings() {
        Map<String, String> m = new java.util.LinkedHashMap<>();
        m.put(MODE, mode.text());
        m.put(CERT_PATH, certPath == null ? "" : certPath);
        m.put(KEY_PATH, keyPath == null ? "" : keyPath);
        m.put(KEY_PASSWORD, keyPassword == null ? "" : "***");
        m.put(TRUST_CERT_PATH, trustCertPath == null ? "" : trustCertPath);
        m.put(NEED_CLIENT_AUTH, clientAuth.name().toLowerCase(Locale.ROOT));
        m.put(CLIENT_ENABLE, Boolean.toString(clientEnable));
        m.put(CLIENT_TRUST_CERT_PATH, clientTrustCertPath == null ? "" : clientTrustCertPath);
        return m;
    }

    /**
     * The TLS settings of the process's own outgoing connections, or null when {@code tls.enable} is false.
     *
     * @throws IllegalArgumentException if the trusted CA file is unset or unreadable
     */
    public ClientTls clientTls() {
        if (!clientEnable) {
            return null;
        }
        requireFile(CLIENT_TRUST_CERT_PATH, clientTrustCertPath);
        return ClientTls.trustCa(clientTrustCertPath);
    }

    /**
     * The server's TLS context, or null when disabled. Call at startup: every problem is reported here with the key
     * and the file (missing file, unreadable or malformed PEM, a key that does not match the certificate).
     *
     * @throws IllegalArgumentException describing the first problem found
     */
    public SslContext serverContext() {
        if (!enabled()) {
            return null;
        }
        File cert = requireFile(CERT_PATH, certPath);
        File key = requireFile(KEY_PATH, keyPath);
        File trust = clientAuth == ClientAuth.NONE ? null : requireFile(TRUST_CERT_PATH, trustCertPath);
        try {
            SslContextBuilder b = SslContextBuilder.forServer(cert, key, keyPassword).clientAuth(clientAuth);
            if (trust != null) {
                b.trustManager(trust);
            }
            return b.build();
        } catch (javax.net.ssl.SSLException | RuntimeException e) {
            throw new IllegalArgumentException("TLS: cannot use certificate " + cert + " with key " + key
                    + (trust == null ? "" : " and trust " + trust) + " (PEM certificate chain and PKCS#8 key"
                    + " expected, docs/security.md): " + e, e);
        }
    }

    /** {@code path} as an existing readable file, or an error naming {@code key}. */
    static File requireFile(String key, String path) {
        if (path == null) {
            throw new IllegalArgumentException(key + " is required when TLS is on");
        }
        Path p = Path.of(path);
        if (!Files.isRegularFile(p) || !Files.isReadable(p)) {
            throw new IllegalArgumentException(key + ": no readable file at " + p.toAbsolutePath());
        }
        return p.toFile();
    }
}
