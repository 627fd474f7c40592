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

import dev.gatehouse.token.ConfigurationException;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The demo's database timeouts: defaults, validation, and the socket timeout added to server URLs. */
class DatabaseTimeoutSettingsTest {
    private static final Duration CONNECT = Duration.ofMillis(1500);
    private static final Duration SOCKET = Duration.ofSeconds(15);

    private static DemoSettings settings(Map<String, String> env) {
        return DemoSettings.from(env, name -> null, name -> null);
    }

    @Test
    void defaultsBoundEveryWait() {
        DemoSettings s = settings(Map.of());
        assertThat(s.jdbcConnectionTimeout).isEqualTo(Duration.ofSeconds(5));
        assertThat(s.jdbcQueryTimeout).isEqualTo(Duration.ofSeconds(10));
        assertThat(s.jdbcSocketTimeout).isEqualTo(Duration.ofSeconds(15));
        assertThat(s.authTimeout).isEqualTo(Duration.ofSeconds(30));
        assertThat(s.clientAttemptsPerMinute).isEqualTo(30);
    }

    @Test
    void socketTimeoutNotLongerThanQueryTimeoutIsRefusedNamingTheSetting() {
        assertThatThrownBy(() -> settings(Map.of("GATEHOUSE_JDBC_QUERY_TIMEOUT", "PT20S", "GATEHOUSE_JDBC_SOCKET_TIMEOUT", "PT20S")))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("GATEHOUSE_JDBC_SOCKET_TIMEOUT");
        assertThatThrownBy(() -> settings(Map.of("GATEHOUSE_JDBC_CONNECTION_TIMEOUT", "PT0.1S")))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("GATEHOUSE_JDBC_CONNECTION_TIMEOUT");
        assertThatThrownBy(() -> settings(Map.of("GATEHOUSE_AUTH_TIMEOUT", "soon")))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("GATEHOUSE_AUTH_TIMEOUT");
    }

    @Test
    void postgresUrlGetsTimeoutsInSeconds() {
        assertThat(DemoContext.withTimeouts("jdbc:postgresql://db:5432/app", CONNECT, SOCKET))
                .isEqualTo("jdbc:postgresql://db:5432/app?connectTimeout=2&socketTimeout=15");
        assertThat(DemoContext.withTimeouts("jdbc:postgresql://db/app?currentSchema=s", CONNECT, SOCKET))
                .isEqualTo("jdbc:postgresql://db/app?currentSchema=s&connectTimeout=2&socketTimeout=15");
    }

    @Test
    void mariadbUrlGetsTimeoutsInMilliseconds() {
        assertThat(DemoContext.withTimeouts("jdbc:mariadb://db:3306/app?user=root", CONNECT, SOCKET))
                .isEqualTo("jdbc:mariadb://db:3306/app?user=root&connectTimeout=1500&socketTimeout=15000");
        assertThat(DemoContext.withTimeouts("jdbc:mysql://db/app", CONNECT, SOCKET))
                .isEqualTo("jdbc:mysql://db/app?connectTimeout=1500&socketTimeout=15000");
    }

    @Test
    void timeoutsInTheUrlWinAndH2IsLeftAlone() {
        assertThat(DemoContext.withTimeouts("jdbc:postgresql://db/app?SocketTimeout=60", CONNECT, SOCKET))
                .isEqualTo("jdbc:postgresql://db/app?SocketTimeout=60&connectTimeout=2");
        assertThat(DemoContext.withTimeouts("jdbc:mariadb://db/app?connectTimeout=100&socketTimeout=200", CONNECT, SOCKET))
                .isEqualTo("jdbc:mariadb://db/app?connectTimeout=100&socketTimeout=200");
        assertThat(DemoContext.withTimeouts("jdbc:h2:file:./data/gatehouse;DB_CLOSE_ON_EXIT=FALSE", CONNECT, SOCKET))
                .isEqualTo("jdbc:h2:file:./data/gatehouse;DB_CLOSE_ON_EXIT=FALSE");
    }
}
