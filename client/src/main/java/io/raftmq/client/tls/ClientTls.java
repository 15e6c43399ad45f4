package io.raftmq.client.tls;

import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;

import java.io.File;

/**
 * The SDK's TLS option (docs/security.md "TLS"): whether the SDK's connections (to NameServers and brokers alike,
 * as the official client's single {@code useTLS} switch) speak TLS, and which servers they trust. Either
 * {@link #trustCa} (the certificates of the CA that signed the servers' certificates; the normal choice) or
 * {@link #insecureTrustAllForTests} (any certificate: encryption without authentication, for tests and demos only).
 * Server host names are not checked against certificates (brokers are dialled by the IP the NameServer publishes).
 * {@link #withClientCertificate} adds a certificate for servers that require one. Immutable.
 *
 * @param trustCertPath PEM CA certificates trusted, or null when trusting all
 * @param trustAll      trust any server certificate (tests only)
 * @param certPath      PEM client certificate chain, or null
 * @param keyPath       its PEM PKCS#8 private key, or null
 */
public record ClientTls(String trustCertPath, boolean trustAll, String certPath, String keyPath) {
    public ClientTls {
        if (trustAll == (trustCertPath != null)) {
            throw new IllegalArgumentException("TLS: either a CA file to trust or trust-all, exactly one");
        }
        if ((certPath == null) != (keyPath == null)) {
            throw new IllegalArgumentException("TLS: a client certificate needs both its file and its key");
        }
    }

    /** TLS trusting the servers whose certificates chain to the CA certificates in PEM file {@code caPem}. */
    public static ClientTls trustCa(String caPem) {
        TlsConfig.requireFile("trusted CA file", caPem);
        return new ClientTls(caPem, false, null, null);
    }

    /** TLS trusting every server certificate: no protection against a man in the middle. Tests and demos only. */
    public static ClientTls insecureTrustAllForTests() {
        return new ClientTls(null, true, null, null);
    }

    /** These settings presenting the client certificate {@code certPem} with key {@code keyPem} (PKCS#8). */
    public ClientTls withClientCertificate(String certPem, String keyPem) {
        TlsConfig.requireFile("client certificate", certPem);
        TlsConfig.requireFile("client key", keyPem);
        return new ClientTls(trustCertPath, trustAll, certPem, keyPem);
    }

    /**
     * The client TLS context; every file problem is reported here, naming the file.
     *
     * @throws IllegalArgumentException if a file is missing or is not usable PEM
     */
    public SslContext context() {
        try {
            // no host-name check (the javadoc above): brokers are dialled by the address the NameServer publishes
            SslContextBuilder b = SslContextBuilder.forClient().endpointIdentificationAlgorithm(null);
            if (trustAll) {
                b.trustManager(InsecureTrustManagerFactory.INSTANCE);
            } else {
                b.trustManager(new File(trustCertPath));
            }
            if (certPath != null) {
                b.keyManager(new File(certPath), new File(keyPath));
            }
            return b.build();
        } catch (javax.net.ssl.SSLException | RuntimeException e) {
            throw new IllegalArgumentException("TLS: cannot use " + (trustAll ? "trust-all" : "CA " + trustCertPath)
                    + (certPath == null ? "" : " with client certificate " + certPath) + " (PEM expected,"
                    + " docs/security.md): " + e, e);
        }
    }
}
