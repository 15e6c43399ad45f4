package io.raftmq.commitlog.message;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/**
 * Goal: encode/decode are inverse for every well-formed input. Method: jqwik generates property maps (names
 * and values without the two separators, non-empty, since the client decoder drops empty values) and whole
 * message drafts with IPv4/IPv6 hosts and short/long topics; the decoded fields must equal the inputs.
 * jqwik prints the seed of any failure, which reproduces it.
 */
class MessageRoundTripTest {

    @Provide
    Arbitrary<Map<String, String>> propertyMaps() {
        Arbitrary<String> text = Arbitraries.strings().withCharRange(' ', '~').withCharRange('\u00c0', '\u024f')
                .withCharRange('\u4e00', '\u4e20').withChars('\u0000', '\u0003').ofMinLength(1).ofMaxLength(20);
        return Arbitraries.maps(text, text).ofMaxSize(8);
    }

    @Property(tries = 300)
    void propertiesRoundTrip(@ForAll("propertyMaps") Map<String, String> properties) {
        String encoded = MessageProperties.encode(properties);
        assertThat(MessageProperties.decode(encoded)).isEqualTo(properties);
        for (Map.Entry<String, String> e : properties.entrySet()) {
            assertThat(MessageProperties.get(encoded, e.getKey())).isEqualTo(e.getValue());
        }
    }

    @Provide
    Arbitrary<HostAddress> hosts() {
        return Arbitraries.oneOf(Arbitraries.bytes().array(byte[].class).ofSize(4),
                        Arbitraries.bytes().array(byte[].class).ofSize(16))
                .flatMap(ip -> Arbitraries.integers().between(0, 65535).map(port -> HostAddress.of(ip, port)));
    }

    @Property(tries = 300)
    void storedMessageRoundTrip(@ForAll("propertyMaps") Map<String, String> properties,
                                @ForAll @Size(max = 300) byte[] body,
                                @ForAll @IntRange(min = 1, max = 300) int topicLength,
                                @ForAll("hosts") HostAddress born, @ForAll("hosts") HostAddress store,
                                @ForAll int queueId, @ForAll int flag, @ForAll @IntRange(max = 0x7FF) int sysFlag,
                                @ForAll long bornTs, @ForAll long storeTs, @ForAll int reconsume, @ForAll long prep,
                                @ForAll long queueOffset, @ForAll long physicalOffset) {
        String topic = "t".repeat(topicLength);
        MessageDraft draft = new MessageDraft().topic(topic).queueId(queueId).flag(flag).body(body)
                .properties(MessageProperties.encode(properties)).sysFlag(sysFlag).bornTimestamp(bornTs)
                .bornHost(born).storeTimestamp(storeTs).storeHost(store).reconsumeTimes(reconsume)
                .preparedTransactionOffset(prep);
        ByteBuffer buf = ByteBuffer.allocate(StoredMessageEncoder.encodedLength(draft) + 7);
        buf.position(7);
        new StoredMessageEncoder().encode(draft, buf);
        StoredMessage m = new StoredMessage().wrap(buf, 7, buf.position());
        m.setQueueOffset(queueOffset);
        m.setPhysicalOffset(physicalOffset);
        assertThat(m.totalSize()).isEqualTo(buf.position() - 7);
        assertThat(m.topic()).isEqualTo(topic);
        assertThat(m.magic()).isEqualTo(topicLength > 127 ? StoredMessage.MAGIC_V2 : StoredMessage.MAGIC_V1);
        assertThat(m.queueId()).isEqualTo(queueId);
        assertThat(m.flag()).isEqualTo(flag);
        assertThat(m.sysFlag()).isEqualTo(draft.effectiveSysFlag());
        assertThat(m.sysFlag() & ~0x30).isEqualTo(sysFlag & ~0x30);
        assertThat(m.bornTimestamp()).isEqualTo(bornTs);
        assertThat(m.bornHost()).isEqualTo(born);
        assertThat(m.storeTimestamp()).isEqualTo(storeTs);
        assertThat(m.storeHost()).isEqualTo(store);
        assertThat(m.reconsumeTimes()).isEqualTo(reconsume);
        assertThat(m.preparedTransactionOffset()).isEqualTo(prep);
        assertThat(m.body()).isEqualTo(body);
        assertThat(m.bodyCrcMatches(new RocketCrc32())).isTrue();
        assertThat(MessageProperties.decode(m.properties())).isEqualTo(properties);
        assertThat(m.queueOffset()).isEqualTo(queueOffset);
        assertThat(m.physicalOffset()).isEqualTo(physicalOffset);
    }
}
