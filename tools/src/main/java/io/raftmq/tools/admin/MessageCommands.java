package io.raftmq.tools.admin;

import io.raftmq.client.admin.AdminClient;
import io.raftmq.client.admin.AdminException;
import io.raftmq.client.admin.MessageView;
import io.raftmq.client.protocol.json.JsonWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code raftmq-admin message get}: one stored message by id, by key or at a queue offset (the SDK's
 * {@link AdminClient#messageById}, {@link AdminClient#messagesByKey}, {@link AdminClient#messageAt}; docs/protocol.md
 * §2.10) with its headers, properties and body: as text when it is printable UTF-8, else base64; {@code --body-file}
 * writes the raw body of the (first) message found (docs/admin.md "message get"). Exit 3 when none is found.
 */
@Command(name = "message", mixinStandardHelpOptions = true, description = "Stored messages.",
    subcommands = MessageCommands.Get.class)
final class MessageCommands extends AdminTool.Group {

    @Command(name = "get", mixinStandardHelpOptions = true,
        description = "A message: --id MSGID [--topic T] | --key KEY --topic T | --topic T --queue Q --offset N "
            + "[--broker-name B]. Exit 3 if there is none.")
    static final class Get implements Callable<Integer> {
        @Mixin
        CommonOptions common;
        @Option(names = "--id", description = "the broker's offset msgId, or (with --topic) the producer's UNIQ_KEY")
        String id;
        @Option(names = "--key", description = "a key of the message (its KEYS property)")
        String key;
        @Option(names = {"--topic", "-t"}, description = "the topic")
        String topic;
        @Option(names = "--queue", description = "queue id (with --offset)")
        Integer queue;
        @Option(names = "--offset", description = "offset in the queue (with --queue)")
        Long offset;
        @Option(names = "--broker-name", description = "with --queue: the broker group (default: the topic's only "
            + "one)")
        String brokerName;
        @Option(names = "--body-file", paramLabel = "FILE", description = "write the body of the message found here")
        Path bodyFile;

        @Override
        public Integer call() throws AdminException, InterruptedException, IOException {
            int modes = (id != null ? 1 : 0) + (key != null ? 1 : 0) + (queue != null || offset != null ? 1 : 0);
            if (modes != 1) {
                throw new IllegalArgumentException("give exactly one of --id, --key or --queue with --offset");
            }
            if ((key != null || queue != null || offset != null) && topic == null) {
                throw new IllegalArgumentException("--key and --queue/--offset need --topic");
            }
            if (id == null && key == null && (queue == null || offset == null || queue < 0 || offset < 0)) {
                throw new IllegalArgumentException("--queue and --offset go together, each >= 0");
            }
            try (AdminClient admin = common.open()) {
                if (queue != null && brokerName == null && admin.topicRoute(topic).brokerDatas().size() > 1) {
                    throw new IllegalArgumentException(topic + " is on several broker groups: name one with "
                        + "--broker-name");
                }
                List<MessageView> found = id != null ? admin.messageById(id, topic)
                    : key != null ? admin.messagesByKey(topic, key) : admin.messageAt(topic, brokerName, queue, offset);
                if (found.isEmpty()) {
                    throw new AdminTool.NotFoundException("no message " + (id != null ? "with id " + id
                        : key != null ? "with key " + key + " in " + topic : "at " + topic + " queue " + queue
                        + " offset " + offset));
                }
                if (bodyFile != null) {
                    Files.write(bodyFile, found.get(0).body());
                }
                if (common.json()) {
                    Output.print(json(found));
                } else {
                    found.forEach(Get::text);
                }
                return AdminTool.OK;
            }
        }

        private static void text(MessageView m) {
            Output.Table t = new Output.Table("FIELD", "VALUE");
            t.row("topic", m.topic()).row("brokerName", m.brokerName()).row("queueId", m.queueId())
                .row("queueOffset", m.queueOffset()).row("commitLogOffset", m.commitLogOffset())
                .row("msgId", m.msgId()).row("offsetMsgId", m.offsetMsgId())
                .row("bornTimestamp", Instant.ofEpochMilli(m.bornTimestamp()))
                .row("storeTimestamp", Instant.ofEpochMilli(m.storeTimestamp()))
                .row("reconsumeTimes", m.reconsumeTimes()).row("flag", m.flag()).row("sysFlag", m.sysFlag())
                .row("tags", m.tags()).row("keys", m.keys());
            m.properties().forEach((k, v) -> t.row("property " + k, v));
            t.print();
            String text = printable(m.body());
            System.out.println("body (" + (text != null ? "text" : "base64") + ", " + m.body().length + " bytes):");
            System.out.println(text != null ? text : Base64.getEncoder().encodeToString(m.body()));
            System.out.println();
        }
    }

    /** {@code body} as text when it is valid UTF-8 without control characters (but tab and newlines), else null. */
    static String printable(byte[] body) {
        String s;
        try {
            s = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(body)).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isISOControl(c) && c != '\n' && c != '\r' && c != '\t') {
                return null;
            }
        }
        return s;
    }

    static JsonWriter json(List<MessageView> ms) {
        JsonWriter w = Output.json().beginObject().name("messages").beginArray();
        for (MessageView m : ms) {
            w.beginObject();
            Output.str(w, "topic", m.topic());
            Output.str(w, "brokerName", m.brokerName());
            w.field("queueId", m.queueId()).field("queueOffset", m.queueOffset())
                .field("commitLogOffset", m.commitLogOffset());
            Output.str(w, "msgId", m.msgId());
            Output.str(w, "offsetMsgId", m.offsetMsgId());
            w.field("bornTimestamp", m.bornTimestamp()).field("storeTimestamp", m.storeTimestamp())
                .field("reconsumeTimes", m.reconsumeTimes()).field("flag", m.flag()).field("sysFlag", m.sysFlag());
            Output.str(w, "tags", m.tags());
            Output.str(w, "keys", m.keys()).name("properties").beginObject();
            m.properties().forEach((k, v) -> Output.str(w, k, v));
            String text = printable(m.body());
            w.endObject().field("bodySize", m.body().length);
            Output.str(w, "bodyEncoding", text != null ? "text" : "base64");
            Output.str(w, "body", text != null ? text : Base64.getEncoder().encodeToString(m.body())).endObject();
        }
        return w.endArray().endObject();
    }
}
