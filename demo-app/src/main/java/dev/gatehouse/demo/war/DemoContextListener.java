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

package dev.gatehouse.demo.war;

import dev.gatehouse.demo.DemoContext;
import dev.gatehouse.demo.DemoSettings;
import dev.gatehouse.filter.GatehouseFilter;
import jakarta.servlet.FilterRegistration;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletContextEvent;
import jakarta.servlet.ServletContextListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Driver;
import java.sql.DriverManager;
import java.util.Collections;
import javax.naming.InitialContext;
import javax.naming.NamingException;
import javax.sql.DataSource;

/**
 * Builds the demo inside a servlet container: settings from environment variables and system
 * properties, with the web.xml context parameters of the same names as defaults (the issuer,
 * {@code GATEHOUSE_ISSUER}, is required: the application does not start without it); the DataSource
 * from JNDI when {@value #JNDI_PARAM} names one, else a HikariCP pool from the settings. Publishes
 * the verifier for the Gatehouse filter ({@value #VERIFIER_ATTRIBUTE}), hands it
 * {@code GATEHOUSE_REQUIRE_HTTPS}, {@code GATEHOUSE_TRUSTED_PROXIES} and {@code GATEHOUSE_ERROR_DESCRIPTIONS} as init-params, and, on undeploy, closes
 * the pool and deregisters the JDBC drivers this application loaded, so Tomcat reports no leak.
 */
public final class DemoContextListener implements ServletContextListener {
    public static final String VERIFIER_ATTRIBUTE = "dev.gatehouse.verifier";
    public static final String JNDI_PARAM = "GATEHOUSE_JNDI_DATASOURCE";
    /** The Gatehouse filter's name in web.xml, whose transport init-params come from the demo settings. */
    static final String GATEHOUSE_FILTER = "gatehouse";
    private static final Logger LOG = LoggerFactory.getLogger(DemoContextListener.class);

    private static volatile DemoContext current;

    /** The context of this web application (one per class loader). */
    static DemoContext current() {
        DemoContext c = current;
        if (c == null) {
            throw new IllegalStateException("DemoContextListener has not run");
        }
        return c;
    }

    /**
     * The container's {@code DataSource} under {@code name}. Error Prone's BanJNDI is about names a
     * client can choose; this one comes from the deployment (system property, environment or
     * web.xml), and the lookup reads the container's own naming context.
     */
    @SuppressWarnings("BanJNDI")
    private static DataSource lookUpDataSource(String name) {
        try {
            return (DataSource) new InitialContext().lookup(name);
        } catch (NamingException e) {
            throw new IllegalStateException("The DataSource '" + name + "' named by " + JNDI_PARAM + " is not in JNDI", e);
        }
    }

    @Override
    public void contextInitialized(ServletContextEvent event) {
        ServletContext servletContext = event.getServletContext();
        DemoSettings settings = DemoSettings.fromEnvironment(servletContext::getInitParameter);
        // before anything is built: inside a container the public URL cannot be known, so it must be set
        String issuer = settings.requiredIssuer();
        DataSource dataSource = null;
        String jndi = System.getProperty(DemoSettings.propertyName(JNDI_PARAM), System.getenv(JNDI_PARAM));
        if (jndi == null) {
            jndi = servletContext.getInitParameter(JNDI_PARAM);
        }
        if (jndi != null && !jndi.isBlank()) {
            dataSource = lookUpDataSource(jndi.strip());
        }
        FilterRegistration filter = servletContext.getFilterRegistration(GATEHOUSE_FILTER);
        if (filter != null) {
            // An init-param in web.xml wins (setInitParameter then returns false).
            filter.setInitParameter(GatehouseFilter.REQUIRE_HTTPS_PARAM, String.valueOf(settings.requireHttps));
            filter.setInitParameter(GatehouseFilter.TRUSTED_PROXIES_PARAM, String.join(",", settings.trustedProxies));
            filter.setInitParameter(GatehouseFilter.ERROR_DESCRIPTIONS_PARAM, String.valueOf(settings.errorDescriptions));
        }
        DemoContext context = DemoContext.create(settings, issuer, dataSource);
        current = context;
        servletContext.setAttribute(VERIFIER_ATTRIBUTE, context.service.verifier());
        LOG.info("Gatehouse demo deployed at context path '{}'", servletContext.getContextPath());
    }

    @Override
    public void contextDestroyed(ServletContextEvent event) {
        DemoContext context = current;
        current = null;
        if (context != null) {
            context.close();
        }
        ClassLoader mine = Thread.currentThread().getContextClassLoader();
        for (Driver driver : Collections.list(DriverManager.getDrivers())) {
            if (driver.getClass().getClassLoader() == mine) {
                try {
                    DriverManager.deregisterDriver(driver);
                } catch (Exception e) {
                    LOG.warn("Could not deregister {}", driver.getClass().getName());
                }
            }
        }
    }
}
