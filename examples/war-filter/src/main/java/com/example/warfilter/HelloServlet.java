package com.example.warfilter;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;

/**
 * A plain servlet, unaware of tokens: the Gatehouse filter in front of it (web.xml) has verified
 * the access token, and the caller is read as with any container login.
 */
public class HelloServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String userId = request.getUserPrincipal().getName();   // the token's sub
        boolean admin = request.isUserInRole("admin");          // from the token's roles claim
        response.setContentType("text/plain;charset=UTF-8");
        response.getWriter().print("Hello " + userId + ", admin: " + admin);
    }
}
