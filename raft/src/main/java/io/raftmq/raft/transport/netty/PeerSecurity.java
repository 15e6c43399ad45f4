package io.raftmq.raft.transport.netty;

import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * How a {@link NettyTransport}'s peer connections are protected (docs/security.md "Raft peer authentication"), set
 * with {@link NettyTransport#secure} before start. Two independent layers:
 * <ul>
 *   <li>mutual TLS: every member presents its certificate and accepts only peers whose certificate chains to the
 *   group's CA (both directions); host names are not checked, the CA is the group's;</li>
 *   <li>a shared group secret: the {@link PeerAuthHandler} handshake on every connection before any raft
 *   message, so a process without the secret cannot reach the raft core even on a plain link.</li>
 * </ul>
 * {@link #NONE} (neither) keeps links as they were: any process that can reach the raft port is taken for a peer.
 */
public final class PeerSecurity {
    /** No TLS, no secret. */
    public static final PeerSecurity NONE = new PeerSecurity(null, null, null);
    /** Shortest accepted group secret, in bytes (UTF-8). */
    public static final int SECRET_BYTES_MIN = 16;

    private final SslContext serverTls;
    private final SslContext clientTls;
    private final byte[] groupSecret;

    private PeerSecurity(SslContext serverTls, SslContext clientTls, byte[] groupSecret) {
        this.serverTls = serverTls;
        this.clientTls = clientTls;
        this.groupSecret = groupSecret;
    }

    /** Only the group-secret handshake (plain TCP). */
    public static PeerSecurity secretOnly(byte[] secret) {
        return new PeerSecurity(null, null, checkSecret(secret));
    }

    /**
     * Mutual TLS with this member's certificate {@code certPem} and PKCS#8 key {@code keyPem}, trusting peers signed
     * by the group CA in {@code caPem}; plus the group-secret handshake when {@code secret} is not null.
     *
     * @throws IllegalArgumentException naming the file when a file is missing or is not usable PEM
     */
    public static PeerSecurity mutualTls(Path certPem, Path keyPem, Path caPem, byte[] secret) {
        File cert = file("raft TLS certificate", certPem);
        File key = file("raft TLS key", keyPem);
        File ca = file("raft TLS CA", caPem);
        try {
            SslContext server = SslContextBuilder.forServer(cert, key).trustManager(ca).clientAuth(ClientAuth.REQUIRE)
                .build();
            SslContext client = SslContextBuilder.forClient().keyManager(cert, key).trustManager(ca)
                .endpointIdentificationAlgorithm(null).build();
            return new PeerSecurity(server, client, secret == null ? null : checkSecret(secret));
        } catch (javax.net.ssl.SSLException | RuntimeException e) {
            throw new IllegalArgumentException("raft TLS: cannot use certificate " + cert + ", key " + key + " and CA "
                + ca + " (PEM certificate, PKCS#8 key and CA expected, docs/security.md): " + e, e);
        }
    }

    /**
     * The group secret written in configuration as {@code value}: the text itself, or with a {@code file:} prefix
     * the content of that file (surrounding white space ignored).
     *
     * @throws IllegalArgumentException if the file cannot be read or the secret is shorter than
     *     {@link #SECRET_BYTES_MIN} bytes
     */
    public static byte[] secret(String value) {
        String text = value;
        if (value.startsWith("file:")) {
            Path p = Path.of(value.substring("file:".length()));
            try {
                text = Files.readString(p, StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new IllegalArgumentException("raft group secret: cannot read " + p.toAbsolutePath() + ": " + e,
                    e);
            }
        }
        return checkSecret(text.strip().getBytes(StandardCharsets.UTF_8));
    }

    private static byte[] checkSecret(byte[] secret) {
        if (secret == null || secret.length < SECRET_BYTES_MIN) {
            throw new IllegalArgumentException("raft group secret must be at least " + SECRET_BYTES_MIN
                + " bytes long");
        }
        return Arrays.copyOf(secret, secret.length);
    }

    private static File file(String what, Path p) {
        if (p == null || !Files.isRegularFile(p) || !Files.isReadable(p)) {
            throw new IllegalArgumentException(what + ": no readable file at " + (p == null ? "(unset)"
                : p.toAbsolutePath()));
        }
        return p.toFile();
    }

    SslContext serverTls() {
        return serverTls;
    }

    SslContext clientTls() {
        return clientTls;
    }

    /** The group secret, or null when peers do not authenticate with one. */
    byte[] groupSecret() {
        return groupSecret;
    }

    /** What is on, for logs: e.g. "mutual TLS + group secret". */
    public String describe() {
        String tls = serverTls != null ? "mutual TLS" : "plain TCP";
        return groupSecret != null ? tls + " + group secret" : tls;
    }
}
