package dev.gatehouse.demo;

import dev.gatehouse.demo.grizzly.DemoMain;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.nio.file.Path;
import java.util.Map;

/** The contract against the standalone app on Jersey + Grizzly, started in-process on port 0 with an H2 file database. */
class GrizzlyDemoTest extends DemoContract {
    @TempDir
    static Path dir;
    private DemoMain.Running running;

    @BeforeAll
    void start() throws Exception {
        DemoSettings settings = DemoSettings.from(Map.of(
                "GATEHOUSE_PORT", "0",
                "GATEHOUSE_KEY_ENCRYPTION_KEY", DemoContract.newKeyEncryptionKey(),
                "GATEHOUSE_JDBC_URL", "jdbc:h2:file:" + dir.resolve("gatehouse").toAbsolutePath(),
                "GATEHOUSE_PEPPER", DemoContract.newPepper(),
                "GATEHOUSE_BCRYPT_COST", String.valueOf(BCRYPT_COST),
                "GATEHOUSE_TEST_MODE", "true",
                "GATEHOUSE_ADMIN_EMAILS", ADMIN_EMAIL), name -> null, name -> null);
        running = DemoMain.start(settings);
    }

    @AfterAll
    void stop() {
        if (running != null) {
            running.stop();
        }
    }

    @Override
    protected URI base() {
        return URI.create(running.url);
    }
}
