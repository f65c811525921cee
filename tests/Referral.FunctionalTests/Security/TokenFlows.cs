using System.Net;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Mvc.Testing.Handlers;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Referral.Identity.Issuer;

namespace Referral.FunctionalTests.Security;

/// <summary>Gets tokens the way real clients do (authorization code + PKCE through the login form), and forges bad ones.</summary>
public static partial class TokenFlows
{
    public const string WebClient = "web";
    public const string WebRedirect = "http://127.0.0.1:5100/signin-oidc";

    /// <summary>The demo users of appsettings.json, by role.</summary>
    public static readonly IReadOnlyDictionary<string, (string User, string Password)> DemoUsers = new Dictionary<string, (string, string)>
    {
        ["doctor"] = ("doctor", "doctor-demo"),
        ["specialist"] = ("specialist", "specialist-demo"),
        ["coordinator"] = ("coordinator", "coordinator-demo"),
        ["admin"] = ("admin", "admin-demo"),
    };

    /// <summary>Signs in through the login page and redeems the code with its PKCE verifier; returns the token response.</summary>
    public static async Task<JsonElement> SignInAsync(NodeFactory node, string user, string password, string scope = "openid fhirUser user/*.cruds")
    {
        using var browser = Browser(node);
        return await SignInAsync(browser, user, password, scope);
    }

    /// <summary>The same sign-in through <paramref name="browser"/>, e.g. a cookie-keeping client of a node on Kestrel.</summary>
    public static async Task<JsonElement> SignInAsync(HttpClient browser, string user, string password, string scope = "openid fhirUser user/*.cruds")
    {
        var verifier = Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(32));
        var challenge = Base64UrlEncoder.Encode(SHA256.HashData(System.Text.Encoding.ASCII.GetBytes(verifier)));
        var authorize = $"/connect/authorize?client_id={WebClient}&response_type=code&redirect_uri={Uri.EscapeDataString(WebRedirect)}" +
            $"&scope={Uri.EscapeDataString(scope)}&state=s1&code_challenge={challenge}&code_challenge_method=S256";

        using var toLogin = await browser.GetAsync(authorize);
        Expect(HttpStatusCode.Redirect, toLogin);
        using var loginPage = await browser.GetAsync(toLogin.Headers.Location);
        var html = await loginPage.Content.ReadAsStringAsync();
        var form = new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = AntiforgeryField().Match(html).Groups[1].Value,
            ["returnUrl"] = WebUtility.HtmlDecode(ReturnUrlField().Match(html).Groups[1].Value),
            ["username"] = user,
            ["password"] = password,
        };
        using var signedIn = await browser.PostAsync("/account/login", new FormUrlEncodedContent(form));
        if (signedIn.StatusCode != HttpStatusCode.Redirect)
        {
            throw new InvalidOperationException($"Sign-in of {user} failed with {(int)signedIn.StatusCode}.");
        }

        using var withCode = await browser.GetAsync(signedIn.Headers.Location);
        Expect(HttpStatusCode.Redirect, withCode);
        var query = Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(withCode.Headers.Location!.Query);
        using var token = await browser.PostAsync("/connect/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "authorization_code",
            ["code"] = query["code"].ToString(),
            ["redirect_uri"] = WebRedirect,
            ["client_id"] = WebClient,
            ["code_verifier"] = verifier,
        }));
        var body = await token.Content.ReadAsStringAsync();
        if (!token.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"Code redemption failed with {(int)token.StatusCode}: {body}");
        }

        return JsonDocument.Parse(body).RootElement.Clone();
    }

    public static async Task<string> UserTokenAsync(NodeFactory node, string role) =>
        (await SignInAsync(node, DemoUsers[role].User, DemoUsers[role].Password)).GetProperty("access_token").GetString()!;

    /// <summary>A client that keeps cookies and does not follow redirects, like a browser driven step by step.</summary>
    public static HttpClient Browser(NodeFactory node) =>
        new(new CookieContainerHandler { InnerHandler = node.Server.CreateHandler() }) { BaseAddress = new Uri(NodeFactory.Issuer) };

    /// <summary>A JWT with the given claims, signed with <paramref name="key"/>, or unsigned (alg none) when it is null.</summary>
    public static string Forge(SecurityKey? key, string issuer, DateTime expires, params (string Type, string Value)[] claims)
    {
        var descriptor = new SecurityTokenDescriptor
        {
            Issuer = issuer,
            Audience = "referral-fhir",
            IssuedAt = expires.AddMinutes(-30),
            NotBefore = expires.AddMinutes(-30),
            Expires = expires,
            Subject = new ClaimsIdentity(claims.Select(c => new Claim(c.Type, c.Value))),
            SigningCredentials = key is null ? null : new SigningCredentials(key, SecurityAlgorithms.RsaSha256),
        };
        return new JsonWebTokenHandler().CreateToken(descriptor);
    }

    /// <summary>The admin claims a real token of this node carries.</summary>
    public static (string, string)[] AdminClaims => [("sub", "forger"), ("role", "admin"), ("organization", "Organization/municipal-hospital"), ("scope", "system/*.cruds")];

    /// <summary>The node's own signing key, read from its data directory (only a test can do that).</summary>
    public static SecurityKey NodeKey(NodeFactory node)
    {
        _ = node.Server;
        return SigningKeys.LoadOrCreate(node.DataDirectory).Signing;
    }

    private static void Expect(HttpStatusCode status, HttpResponseMessage response)
    {
        if (response.StatusCode != status)
        {
            throw new InvalidOperationException($"Expected {(int)status} from {response.RequestMessage?.RequestUri}, got {(int)response.StatusCode}.");
        }
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryField();

    [GeneratedRegex("name=\"returnUrl\" value=\"([^\"]*)\"")]
    private static partial Regex ReturnUrlField();
}
