package io.raftmq.testsupport;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Throw-away certificate authorities for TLS tests (docs/security.md "TLS"): a CA made in memory (EC P-256, valid
 * one day), certificates it issues for {@code 127.0.0.1}/{@code localhost}, all written as the PEM files servers and
 * clients are configured with (certificate, PKCS#8 key, CA). No openssl at test time. Users make their CA with
 * the openssl commands in docs/security.md instead.
 */
public final class TestPki {
    private static final AtomicLong SERIAL = new AtomicLong(System.currentTimeMillis());

    private final String name;
    private final KeyPair keys;
    private final X509Certificate certificate;

    private TestPki(String name, KeyPair keys, X509Certificate certificate) {
        this.name = name;
        this.keys = keys;
        this.certificate = certificate;
    }

    /** A new self-signed CA named {@code name}. */
    public static TestPki newCa(String name) {
        KeyPair kp = ecKeys();
        X500Name subject = new X500Name("CN=" + name);
        return new TestPki(name, kp, sign(subject, subject, kp, kp, true));
    }

    /** The CA certificate as PEM, written to {@code file}. */
    public Path writeCa(Path file) {
        return write(file, pem("CERTIFICATE", encoded(certificate)));
    }

    /**
     * A certificate for {@code commonName} (also valid for 127.0.0.1 and localhost) signed by this CA, written as
     * {@code dir/<fileBase>.crt} (PEM certificate) and {@code dir/<fileBase>.key} (PEM PKCS#8 key).
     */
    public Issued issue(String commonName, Path dir, String fileBase) {
        KeyPair kp = ecKeys();
        X509Certificate cert = sign(new X500Name("CN=" + name), new X500Name("CN=" + commonName), keys, kp, false);
        Path crt = write(dir.resolve(fileBase + ".crt"), pem("CERTIFICATE", encoded(cert)));
        Path key = write(dir.resolve(fileBase + ".key"), pem("PRIVATE KEY", kp.getPrivate().getEncoded()));
        return new Issued(crt, key);
    }

    /** The PEM files of one issued certificate. */
    public record Issued(Path cert, Path key) {
    }

    private static KeyPair ecKeys() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"));
            return g.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static X509Certificate sign(X500Name issuer, X500Name subject, KeyPair issuerKeys, KeyPair subjectKeys,
                                        boolean ca) {
        Instant now = Instant.now();
        try {
            X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(issuer,
                    BigInteger.valueOf(SERIAL.incrementAndGet()), Date.from(now.minus(Duration.ofHours(1))),
                    Date.from(now.plus(Duration.ofDays(1))), subject, subjectKeys.getPublic());
            b.addExtension(Extension.basicConstraints, true, new BasicConstraints(ca));
            if (!ca) {
                b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
                    new GeneralName(GeneralName.iPAddress, "127.0.0.1"),
                    new GeneralName(GeneralName.dNSName, "localhost")}));
            }
            ContentSigner signer = new JcaContentSignerBuilder("SHA256withECDSA").build(issuerKeys.getPrivate());
            return new JcaX509CertificateConverter().getCertificate(b.build(signer));
        } catch (IOException | OperatorCreationException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot make a test certificate for " + subject, e);
        }
    }

    private static byte[] encoded(X509Certificate c) {
        try {
            return c.getEncoded();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    private static Path write(Path file, String text) {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            return Files.writeString(file, text, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
