package io.raftmq.tools.admin;

import io.raftmq.client.protocol.Credentials;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Goal: raftmq-admin takes its ACL account from RAFTMQ_ACCESS_KEY and RAFTMQ_SECRET_KEY, both or neither
 * (docs/admin.md "Global options"). Method: environments given as maps.
 */
class AdminCredentialsTest {
    @Test
    void bothOrNeither() {
        Map<String, String> env = new HashMap<>();
        assertThat(AdminCredentials.from(env::get)).isNull();
        env.put(AdminCredentials.ACCESS_KEY, "operator");
        assertThatThrownBy(() -> AdminCredentials.from(env::get)).isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("set both RAFTMQ_ACCESS_KEY and RAFTMQ_SECRET_KEY");
        env.put(AdminCredentials.SECRET_KEY, "operator-secret");
        assertThat(AdminCredentials.from(env::get)).isEqualTo(new Credentials("operator", "operator-secret"));
        env.put(AdminCredentials.ACCESS_KEY, "");
        assertThatThrownBy(() -> AdminCredentials.from(env::get)).isInstanceOf(IllegalArgumentException.class);
    }
}
