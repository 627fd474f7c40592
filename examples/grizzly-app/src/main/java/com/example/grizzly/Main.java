package com.example.grizzly;

/**
 * Runs the application until the JVM is asked to stop (Ctrl-C, SIGTERM), then closes it.
 * Settings come from environment variables; see {@link App.Settings#fromEnvironment()}.
 */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) throws InterruptedException {
        App app = App.start(App.Settings.fromEnvironment());
        // closes in the reverse order of start: HTTP first, then Gatehouse, the keys, the pool
        Runtime.getRuntime().addShutdownHook(new Thread(app::close, "app-shutdown"));
        System.out.println("Listening on " + app.baseUri() + " (POST /auth/register, /auth/login; GET /me)");
        Thread.currentThread().join();
    }
}
