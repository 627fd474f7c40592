/*
 * Copyright 2026 The Gatehouse Authors
 *
 * Licensed under the Apache License, Version 2.0 (the "License");
 * you may not use this file except in compliance with the License.
 * You may obtain a copy of the License at
 *
 *     http://www.apache.org/licenses/LICENSE-2.0
 *
 * Unless required by applicable law or agreed to in writing, software
 * distributed under the License is distributed on an "AS IS" BASIS,
 * WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
 * See the License for the specific language governing permissions and
 * limitations under the License.
 */

package dev.gatehouse.demo;

import dev.gatehouse.auth.store.User;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** The per-node profile cache behind {@code GET /api/me}: read once, served from memory, dropped on deletion. */
class ProfilesTest {
    private String url;
    private DemoContext context;

    @BeforeEach
    void start() {
        url = "jdbc:h2:mem:profiles_" + UUID.randomUUID().toString().replace("-", "") + ";DB_CLOSE_DELAY=-1";
        DemoSettings settings = DemoSettings.from(Map.of("GATEHOUSE_JDBC_URL", url,
                "GATEHOUSE_KEY_ENCRYPTION_KEY", DemoContract.newKeyEncryptionKey(),
                "GATEHOUSE_PEPPER", DemoContract.newPepper(),
                "GATEHOUSE_BCRYPT_COST", "4", "GATEHOUSE_TEST_MODE", "true",
                "GATEHOUSE_REQUIRE_VERIFIED_EMAIL", "false"), name -> null, name -> null);
        context = DemoContext.create(settings, "https://issuer.test", null);
    }

    @AfterEach
    void stop() {
        context.close();
    }

    private User register(String email) {
        return context.service.register(email, "correct horse battery staple", "127.0.0.1").join();
    }

    /** Changes the row behind the service's back, as another writer would. */
    private void setEmailInDatabase(String userId, String email) throws SQLException {
        try (Connection c = DriverManager.getConnection(url);
             PreparedStatement ps = c.prepareStatement("UPDATE gh_users SET email = ? WHERE id = ?")) {
            ps.setString(1, email);
            ps.setString(2, userId);
            assertThat(ps.executeUpdate()).isEqualTo(1);
        }
    }

    @Test
    void theEmailIsReadOnceThenServedFromMemoryUntilEvicted() throws SQLException {
        User user = register("first@example.org");

        assertThat(context.profiles.email(user.id())).contains("first@example.org");
        setEmailInDatabase(user.id(), "second@example.org");

        assertThat(context.profiles.email(user.id())).contains("first@example.org");
        context.profiles.evict(user.id());
        assertThat(context.profiles.email(user.id())).contains("second@example.org");
    }

    @Test
    void deletingTheAccountThroughTheServiceDropsItsEntryAtOnce() {
        User user = register("leaving@example.org");
        User other = register("staying@example.org");
        assertThat(context.profiles.email(user.id())).contains("leaving@example.org");
        assertThat(context.profiles.email(other.id())).contains("staying@example.org");

        assertThat(context.service.deleteUser(user.id())).isTrue();

        assertThat(context.profiles.email(user.id())).isEmpty();
        assertThat(context.profiles.email(other.id())).contains("staying@example.org");
        assertThat(context.profiles.size()).isEqualTo(1);
    }

    @Test
    void anUnknownUserIsEmptyAndNotRemembered() {
        assertThat(context.profiles.email(UUID.randomUUID().toString())).isEmpty();
        assertThat(context.profiles.size()).isZero();
    }
}
