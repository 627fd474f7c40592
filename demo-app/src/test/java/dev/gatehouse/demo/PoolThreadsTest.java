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

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/** Closing the demo's pool leaves none of its threads running (what Tomcat checks on undeploy). */
class PoolThreadsTest {

    private static List<Thread> poolThreads(String poolName) {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().startsWith(poolName + " thread-") && t.isAlive())
                .collect(Collectors.toList());
    }

    @Test
    void afterCloseNoThreadOfThePoolIsAlive() throws Exception {
        String name = "pool-threads-test";
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl("jdbc:h2:mem:pool-threads-test;DB_CLOSE_DELAY=-1");
        config.setPoolName(name);
        config.setMaximumPoolSize(4);
        config.setThreadFactory(new PoolThreads(name));
        HikariDataSource pool = new HikariDataSource(config);
        try (Connection c = pool.getConnection()) {
            assertThat(c.isValid(1)).isTrue();
        }
        assertThat(poolThreads(name)).as("the pool runs its threads from the factory").isNotEmpty();

        for (int i = 0; i < 3; i++) {
            PoolThreads.close(pool, Duration.ofSeconds(5));
            assertThat(poolThreads(name)).as("threads still alive after close").isEmpty();
            pool = new HikariDataSource(config);
            pool.getConnection().close();
        }
        PoolThreads.close(pool, Duration.ofSeconds(5));
        assertThat(poolThreads(name)).isEmpty();
    }
}
