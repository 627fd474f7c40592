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

import dev.gatehouse.auth.mail.MailMessage;
import dev.gatehouse.jdbc.testing.TestDatabases;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The demo's local mailbox on each database the demo runs on (H2, PostgreSQL, MariaDB): its table
 * is created by the demo (twice is harmless), messages come back whole and newest first, and only
 * the latest {@value DemoMailbox#KEEP} are kept.
 */
class DemoMailboxTest {
    @ParameterizedTest
    @ValueSource(strings = {"H2", "PostgreSQL", "MariaDB"})
    void storesMessagesNewestFirstAndKeepsTheLatest(String product) throws Exception {
        try (TestDatabases.Database db = TestDatabases.of(product)) {
            DemoMailbox mailbox = DemoMailbox.create(db.dataSource());
            DemoMailbox.create(db.dataSource()); // a restart: CREATE TABLE IF NOT EXISTS
            assertThat(mailbox.latest(10)).isEmpty();

            String longText = "Grüße, ünïcødé ✓ — " + "x".repeat(70_000);
            Instant before = Instant.now().minusSeconds(1);
            mailbox.send(new MailMessage("<m1@gatehouse>", "first@gatehouse.test", "Verify your email", longText, "<p>html</p>"));
            List<DemoMailbox.Stored> one = mailbox.latest(10);
            assertThat(one).hasSize(1);
            DemoMailbox.Stored stored = one.get(0);
            assertThat(stored.messageId()).isEqualTo("<m1@gatehouse>");
            assertThat(stored.to()).isEqualTo("first@gatehouse.test");
            assertThat(stored.subject()).isEqualTo("Verify your email");
            assertThat(stored.text()).as("a long text with non-ASCII characters, whole").isEqualTo(longText);
            assertThat(stored.html()).isEqualTo("<p>html</p>");
            assertThat(stored.receivedAt()).isBetween(before, Instant.now().plusSeconds(1));

            int more = DemoMailbox.KEEP + 4;
            for (int i = 2; i <= more + 1; i++) {
                mailbox.send(new MailMessage("<m" + i + "@gatehouse>", "user" + i + "@gatehouse.test", "Mail " + i, "text " + i, "html"));
            }
            List<DemoMailbox.Stored> all = mailbox.latest(1000);
            assertThat(all).as("only the latest are kept").hasSize(DemoMailbox.KEEP);
            assertThat(all.get(0).subject()).as("newest first").isEqualTo("Mail " + (more + 1));
            assertThat(all.get(all.size() - 1).subject()).isEqualTo("Mail " + (more + 2 - DemoMailbox.KEEP));
            for (int i = 1; i < all.size(); i++) {
                assertThat(all.get(i).id()).isLessThan(all.get(i - 1).id());
            }
            assertThat(mailbox.latest(3)).extracting(DemoMailbox.Stored::subject)
                    .containsExactly("Mail " + (more + 1), "Mail " + more, "Mail " + (more - 1));
        }
    }
}
