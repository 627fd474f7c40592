package dev.gatehouse.demo;

/**
 * The WAR deployed as {@code webapps/gatehouse-demo.war}: the app under the context path
 * {@code /gatehouse-demo}, where the refresh cookie's path, the {@code Location} of new users
 * and the page's relative URLs must all follow the context path.
 */
class TomcatContextPathWarIT extends TomcatWarContract {
    @Override
    String warName() {
        return "gatehouse-demo";
    }
}
