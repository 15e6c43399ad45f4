package io.raftmq.client.protocol;

/**
 * The sender's language as carried in the remoting header (docs/protocol.md §1.3): its name in JSON headers, its byte
 * code in ROCKETMQ binary headers. Unknown values decode to {@code null} (harmless, docs/protocol.md §1.3).
 */
public enum LanguageCode {
    JAVA(0), CPP(1), DOTNET(2), PYTHON(3), DELPHI(4), ERLANG(5), RUBY(6), OTHER(7), HTTP(8), GO(9), PHP(10),
    OMS(11), RUST(12), NODE_JS(13);

    private static final LanguageCode[] BY_CODE = values();

    private final byte code;

    LanguageCode(int code) {
        this.code = (byte) code;
    }

    /** The binary-header byte code. */
    public byte code() {
        return code;
    }

    /** The language for a binary code, or {@code null} when unknown. */
    public static LanguageCode ofCode(int code) {
        return code >= 0 && code < BY_CODE.length ? BY_CODE[code] : null;
    }

    /** The language for a JSON name, or {@code null} when unknown. Allocation-free for known names. */
    public static LanguageCode ofName(String name) {
        if (name == null) {
            return null;
        }
        for (LanguageCode l : BY_CODE) {
            if (l.name().equals(name)) {
                return l;
            }
        }
        return null;
    }
}
