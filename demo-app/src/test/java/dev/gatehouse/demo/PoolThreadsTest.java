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
