package io.raftmq.tools.admin;

import io.raftmq.broker.BrokerController;
import io.raftmq.client.consumer.ConcurrentListener;
import io.raftmq.client.consumer.ConsumeFrom;
import io.raftmq.client.consumer.ConsumerConfig;
import io.raftmq.client.consumer.PushConsumer;
import io.raftmq.client.producer.Message;
import io.raftmq.client.producer.Producer;
import io.raftmq.client.producer.ProducerConfig;
import io.raftmq.client.producer.SendResult;
import io.raftmq.client.protocol.RemotingCommand;
import io.raftmq.client.protocol.RequestCode;
import io.raftmq.client.protocol.body.KVTable;
import io.raftmq.client.protocol.json.JsonObject;
import io.raftmq.client.protocol.json.JsonReader;
import io.raftmq.client.remoting.RemotingClient;
import io.raftmq.client.remoting.RemotingClientConfig;
import io.raftmq.testsupport.Seeds;
import io.raftmq.testsupport.SocketTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Goal: {@code bin/raftmq-admin}'s commands do what docs/admin.md says against a live three-member group: cluster
 * shows one leader whose term is the one its runtime info (28) reports; a topic created is routed and its stats
 * count the messages sent; a group's progress shows the lag before and after consuming and after an offset reset
 * (to an offset, to the end); a message sent comes back by offset msgId, UNIQ_KEY, key and queue offset with its
 * body (and into --body-file); naming list names the NameServer and the topic; json output parses; unknown topics,
 * groups and messages exit 3, bad usage 2. Method: an in-process cluster ({@link AdminCluster}), the SDK producer
 * and push consumer, {@link AdminTool#run} with stdout/stderr captured; which sent message is looked up is seeded.
 */
@SocketTest
class AdminCliClusterTest {
    private static final String TOPIC = "AdminCliTopic";
    private static final String GROUP = "AdminCliCG";
    private static final int MESSAGES = 12;

    private String ns;

    /** One command's exit status and output. */
    record Run(int exit, String out, String err) {
        /** The command's JSON document: its one line starting with '{' (the in-process brokers log to stdout). */
        JsonObject json() {
            assertThat(exit).as("exit of a json command; stderr: %s", err).isZero();
            String doc = out.lines().filter(l -> l.startsWith("{")).reduce((a, b) -> b).orElse("");
            return JsonReader.parseObject(doc.getBytes(StandardCharsets.UTF_8));
        }
    }

    private Run admin(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.add("--namesrv=" + ns);
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        int exit;
        try {
            exit = AdminTool.run(all.toArray(new String[0]));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
        Run r = new Run(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        System.out.println("$ raftmq-admin " + String.join(" ", args) + " -> " + exit + "\n" + r.out + r.err);
        return r;
    }

    @Test
    void everyCommandAgainstALiveGroup(@TempDir Path dir) throws Exception {
        Random random = new Random(Seeds.seed("admin.cli.seed"));
        try (AdminCluster c = new AdminCluster(dir, 3)) {
            ns = c.namesrv();
            AdminCluster.await(15_000, "a leader and every member registered", () -> c.leader() != null
                && admin("cluster", "--output", "json").exit() == 0 && oneLeaderOfThree(admin("cluster",
                "--output", "json").json()));
            checkCluster(c);

            assertThat(admin("topic", "create", "-t", TOPIC, "--queues", "2", "--output", "json").json()
                .getString("result")).isEqualTo("created");
            AdminCluster.await(10_000, "the topic routed", () -> admin("topic", "route", "-t", TOPIC).exit() == 0);
            assertThat(admin("topic", "list", "--output", "json").json().getArray("topics")).contains(TOPIC);
            JsonObject route = admin("topic", "route", "-t", TOPIC, "--output", "json").json();
            assertThat(obj(route.getArray("queues").get(0)).getLong("writeQueueNums", -1)).isEqualTo(2);

            List<SendResult> sent = send(c, MESSAGES, 0);
            JsonObject stats = admin("topic", "stats", "-t", TOPIC, "--output", "json").json();
            assertThat(stats.getLong("totalMessages", -1)).isEqualTo(MESSAGES);
            assertThat(stats.getArray("queues")).hasSize(2);
            assertThat(stats.getArray("queues")).allSatisfy(q -> assertThat(obj(q).getLong("lastUpdateTimestamp",
                -1)).isPositive());

            consumeAll(c);
            send(c, 3, MESSAGES);
            JsonObject p = admin("group", "progress", "-g", GROUP, "-t", TOPIC, "--output", "json").json();
            assertThat(p.getLong("totalLag", -1)).as("3 sent after the consumer stopped").isEqualTo(3);
            assertThat(p.getLong("totalConsumerOffset", -1)).isEqualTo(MESSAGES);
            assertThat(p.getArray("queues")).hasSize(2);

            checkReset();
            checkMessages(sent.get(random.nextInt(sent.size())), dir);
            checkNaming();
            checkNotFoundAndUsage();

            assertThat(admin("group", "delete", "-g", GROUP).exit()).isZero();
            assertThat(admin("group", "delete", "-g", GROUP).exit()).isEqualTo(3);
            assertThat(admin("topic", "delete", "-t", TOPIC).exit()).isZero();
            AdminCluster.await(10_000, "the topic unrouted", () -> admin("topic", "route", "-t", TOPIC).exit() == 3);
            checkTransferJson(c);
        }
    }

    /** raft transfer --output json (the NameServer from --namesrv): to a follower, which then leads. */
    private void checkTransferJson(AdminCluster c) throws Exception {
        JsonObject g = obj(admin("cluster", "--output", "json").json().getArray("groups").get(0));
        long term = -1;
        String follower = null;
        for (Object m : g.getArray("members")) {
            if ("LEADER".equals(obj(m).getString("role"))) {
                term = obj(m).getLong("term", -1);
            } else {
                follower = obj(m).getString("brokerAddr");
            }
        }
        JsonObject t = admin("raft", "transfer", "--to", follower, "--output", "json").json();
        assertThat(t.getString("result")).isEqualTo("ok");
        assertThat(t.getString("leader")).isEqualTo(follower);
        assertThat(t.getLong("term", -1)).isGreaterThan(term);
        assertThat(c.leader().config().brokerAddr()).isEqualTo(follower);
    }

    private static JsonObject obj(Object o) {
        return JsonObject.toObject("test", o);
    }

    private static boolean oneLeaderOfThree(JsonObject cluster) {
        List<Object> groups = cluster.getArray("groups");
        if (groups.size() != 1) {
            return false;
        }
        List<Object> members = obj(groups.get(0)).getArray("members");
        return members.size() == 3 && members.stream().filter(m -> "LEADER".equals(obj(m).getString("role")))
            .count() == 1 && members.stream().allMatch(m -> obj(m).getLong("lag", -1) == 0);
    }

    private void checkCluster(AdminCluster c) throws Exception {
        JsonObject g = obj(admin("cluster", "--output", "json").json().getArray("groups").get(0));
        BrokerController leader = c.leader();
        assertThat(g.getString("name")).isEqualTo(AdminCluster.GROUP);
        assertThat(g.getString("leader")).isEqualTo(leader.config().brokerAddr());
        JsonObject l = null;
        for (Object m : g.getArray("members")) {
            assertThat(obj(m).getString("raftAddr")).matches("127\\.0\\.0\\.1:[0-9]+");
            if ("LEADER".equals(obj(m).getString("role"))) {
                l = obj(m);
            }
        }
        assertThat(l).isNotNull();
        assertThat(l.getString("brokerAddr")).isEqualTo(leader.config().brokerAddr());
        RemotingClient rc = new RemotingClient(RemotingClientConfig.defaults());
        rc.start();
        try {
            RemotingCommand r = rc.invokeSync(leader.config().brokerAddr(),
                RemotingCommand.createRequest(RequestCode.GET_BROKER_RUNTIME_INFO), 3000);
            try {
                Map<String, String> info = KVTable.decode(r.bodyBytes()).table();
                assertThat(l.getLong("term", -1)).isEqualTo(Long.parseLong(info.get("raftTerm")));
                assertThat(info).containsEntry("raftAddr", leader.config().raftSelf().address());
                assertThat(l.getString("raftAddr")).isEqualTo(info.get("raftAddr"));
            } finally {
                r.release();
            }
        } finally {
            rc.shutdown();
        }
        Run table = admin("cluster");
        assertThat(table.out()).contains("LEADER", "FOLLOWER", "RAFT_ADDR", "LAG", AdminCluster.GROUP);
    }

    private List<SendResult> send(AdminCluster c, int n, int from) throws Exception {
        List<SendResult> out = new ArrayList<>();
        try (Producer p = new Producer(ProducerConfig.builder().namesrv(c.namesrv()).group("AdminCliPG").build())) {
            p.start();
            for (int i = from; i < from + n; i++) {
                out.add(p.send(Message.of(TOPIC, "body-" + i).keys("key-" + i).tags("TagA")));
            }
        }
        return out;
    }

    private void consumeAll(AdminCluster c) throws Exception {
        assertThat(admin("group", "create", "-g", GROUP, "--output", "json").json().getString("result"))
            .isEqualTo("created");
        assertThat(admin("group", "list", "--output", "json").json().getArray("groups"))
            .anyMatch(g -> GROUP.equals(obj(g).getString("name")));
        Set<String> got = ConcurrentHashMap.newKeySet();
        PushConsumer consumer = PushConsumer.concurrent(ConsumerConfig.builder().namesrv(c.namesrv()).group(GROUP)
            .subscribe(TOPIC, "*").consumeFrom(ConsumeFrom.FIRST).commitIntervalMs(200).build(), msgs -> {
                msgs.forEach(m -> got.add(m.bodyString()));
                return ConcurrentListener.Status.SUCCESS;
            });
        consumer.start();
        try {
            AdminCluster.await(20_000, "every message consumed", () -> got.size() == MESSAGES);
            AdminCluster.await(20_000, "progress shows lag 0", () -> {
                Run r = admin("group", "progress", "-g", GROUP, "-t", TOPIC, "--output", "json");
                return r.exit() == 0 && r.json().getLong("totalLag", -1) == 0
                    && r.json().getLong("totalConsumerOffset", -1) == MESSAGES;
            });
            AdminCluster.await(10_000, "the consumer online", () -> admin("group", "clients", "-g", GROUP,
                "--output", "json").json().getArray("clients").size() == 1);
        } finally {
            consumer.shutdown();
        }
        AdminCluster.await(10_000, "no client online after shutdown", () -> admin("group", "clients", "-g", GROUP,
            "--output", "json").json().getArray("clients").isEmpty());
    }

    private void checkReset() {
        JsonObject r = admin("offset", "reset", "-g", GROUP, "-t", TOPIC, "--to-offset", "0", "--output", "json")
            .json();
        assertThat(r.getArray("queues")).hasSize(2).allMatch(q -> obj(q).getLong("offset", -1) == 0);
        JsonObject p = admin("group", "progress", "-g", GROUP, "-t", TOPIC, "--output", "json").json();
        assertThat(p.getLong("totalConsumerOffset", -1)).isZero();
        assertThat(p.getLong("totalLag", -1)).isEqualTo(MESSAGES + 3);
        JsonObject end = admin("offset", "reset", "-g", GROUP, "-t", TOPIC, "--to-time", "-1", "--output", "json")
            .json();
        assertThat(end.getArray("queues").stream().mapToLong(q -> obj(q).getLong("offset", -1)).sum())
            .isEqualTo(MESSAGES + 3);
        assertThat(admin("group", "progress", "-g", GROUP, "-t", TOPIC, "--output", "json").json()
            .getLong("totalLag", -1)).isZero();
        assertThat(admin("offset", "reset", "-g", GROUP, "-t", TOPIC, "--to-time", "2000-01-01T00:00:00Z").exit())
            .isZero();
        assertThat(admin("group", "progress", "-g", GROUP, "-t", TOPIC, "--output", "json").json()
            .getLong("totalConsumerOffset", -1)).as("every message is after 2000").isZero();
    }

    private void checkMessages(SendResult s, Path dir) throws Exception {
        JsonObject byId = obj(admin("message", "get", "--id", s.offsetMsgId(), "--output", "json").json()
            .getArray("messages").get(0));
        String body = byId.getString("body");
        assertThat(body).startsWith("body-");
        assertThat(byId.getString("bodyEncoding")).isEqualTo("text");
        assertThat(byId.getString("msgId")).isEqualTo(s.msgId());
        assertThat(byId.getLong("queueOffset", -1)).isEqualTo(s.queueOffset());
        assertThat(byId.getLong("queueId", -1)).isEqualTo(s.queue().queueId());
        assertThat(obj(byId.get("properties")).getString("TAGS")).isEqualTo("TagA");
        String key = byId.getString("keys");
        assertThat(key).isEqualTo("key-" + body.substring("body-".length()));
        JsonObject byUniq = obj(admin("message", "get", "--id", s.msgId(), "-t", TOPIC, "--output", "json").json()
            .getArray("messages").get(0));
        assertThat(byUniq.getString("body")).isEqualTo(body);
        List<Object> byKey = admin("message", "get", "--key", key, "-t", TOPIC, "--output", "json").json()
            .getArray("messages");
        assertThat(byKey).hasSize(1);
        assertThat(obj(byKey.get(0)).getString("body")).isEqualTo(body);
        Path file = dir.resolve("body.bin");
        Run at = admin("message", "get", "-t", TOPIC, "--queue", Integer.toString(s.queue().queueId()), "--offset",
            Long.toString(s.queueOffset()), "--body-file", file.toString());
        assertThat(at.exit()).isZero();
        assertThat(at.out()).contains(body, s.msgId());
        assertThat(Files.readString(file)).isEqualTo(body);
    }

    private void checkNaming() {
        JsonObject n = obj(admin("naming", "list", "--output", "json").json().getArray("nameServers").get(0));
        assertThat(n.getString("address")).isEqualTo(ns);
        assertThat(n.getBoolean("reachable", false)).isTrue();
        assertThat(n.getArray("topics")).contains(TOPIC);
        assertThat(obj(n.getArray("groups").get(0)).getString("name")).isEqualTo(AdminCluster.GROUP);
    }

    private void checkNotFoundAndUsage() {
        assertThat(admin("topic", "stats", "-t", "NoSuchTopic").exit()).isEqualTo(3);
        assertThat(admin("topic", "route", "-t", "NoSuchTopic").exit()).isEqualTo(3);
        assertThat(admin("topic", "update", "-t", "NoSuchTopic", "--perm", "6").exit()).isEqualTo(3);
        assertThat(admin("group", "progress", "-g", "NoSuchGroup").exit()).isEqualTo(3);
        assertThat(admin("offset", "reset", "-g", GROUP, "-t", "NoSuchTopic", "--to-time", "-1").exit())
            .isEqualTo(3);
        assertThat(admin("message", "get", "-t", TOPIC, "--queue", "0", "--offset", "100000").exit()).isEqualTo(3);
        assertThat(admin("message", "get", "--key", "no-such-key", "-t", TOPIC).exit()).isEqualTo(3);
        assertThat(admin("message", "get", "--id", "7F000001000000010000000000000000").exit()).isEqualTo(3);
        assertThat(admin("topic", "stats").exit()).as("--topic missing").isEqualTo(2);
        assertThat(admin("topic", "list", "--output", "xml").exit()).isEqualTo(2);
        assertThat(admin("offset", "reset", "-g", GROUP, "-t", TOPIC, "--to-time", "yesterday").exit())
            .isEqualTo(2);
        assertThat(admin("offset", "reset", "-g", GROUP, "-t", TOPIC).exit()).as("no target").isEqualTo(2);
        assertThat(admin("message", "get", "--id", "x", "--key", "y", "-t", TOPIC).exit()).isEqualTo(2);
        Run refused = admin("topic", "create", "-t", TOPIC, "--perm", "9");
        assertThat(refused.exit()).isEqualTo(2);
        assertThat(admin("topic", "update", "-t", TOPIC, "--perm", "6").exit()).isZero();
    }
}
