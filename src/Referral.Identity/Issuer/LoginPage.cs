using System.Net;
using System.Security.Claims;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace Referral.Identity.Issuer;

/// <summary>
/// The embedded issuer's sign-in form (<c>/account/login</c>), in Chinese and English. A successful sign-in sets the
/// login cookie and returns to the authorization request that asked for it.
/// </summary>
public static class LoginPage
{
    public const string Scheme = "NodeLogin";
    public const string Path = "/account/login";

    public static IResult Show(HttpContext context, IAntiforgery antiforgery, IOptions<NodeOptions> node, string? returnUrl) =>
        Render(context, antiforgery, node.Value, returnUrl, error: null);

    public static async Task<IResult> SubmitAsync(HttpContext context, IAntiforgery antiforgery, IssuerDirectory directory, IOptions<NodeOptions> node)
    {
        if (!await antiforgery.IsRequestValidAsync(context))
        {
            return Results.BadRequest("The sign-in form expired; reload the page.");
        }

        var form = await context.Request.ReadFormAsync();
        var returnUrl = form["returnUrl"].ToString();
        var user = directory.CheckPassword(form["username"], form["password"]);
        if (user is null)
        {
            return Render(context, antiforgery, node.Value, returnUrl, error: "用户名或密码错误 · Wrong user name or password.");
        }

        var identity = new ClaimsIdentity([new Claim("sub", user.UserName), new Claim("name", user.DisplayName)], Scheme, "name", "role");
        await context.SignInAsync(Scheme, new ClaimsPrincipal(identity));
        // Only local return URLs: an open redirect here would hand codes to any site.
        return Results.LocalRedirect(IsLocal(returnUrl) ? returnUrl : "/");
    }

    private static bool IsLocal(string url) =>
        url.StartsWith('/') && !url.StartsWith("//", StringComparison.Ordinal) && !url.StartsWith("/\\", StringComparison.Ordinal);

    private static IResult Render(HttpContext context, IAntiforgery antiforgery, NodeOptions node, string? returnUrl, string? error)
    {
        var tokens = antiforgery.GetAndStoreTokens(context);
        var html = $$"""
            <!doctype html>
            <html lang="zh-CN">
            <head><meta charset="utf-8"><title>登录 · Sign in — {{Encode(node.Name)}}</title>
            <style>body{font-family:sans-serif;max-width:24rem;margin:4rem auto}label,input,button{display:block;width:100%;margin:.4rem 0}.error{color:#b00}</style></head>
            <body>
            <h1>{{Encode(node.Name)}}</h1>
            <p>登录 · Sign in</p>
            {{(error is null ? "" : $"<p class=\"error\" role=\"alert\">{Encode(error)}</p>")}}
            <form method="post" action="{{Path}}">
              <input type="hidden" name="{{tokens.FormFieldName}}" value="{{Encode(tokens.RequestToken ?? "")}}">
              <input type="hidden" name="returnUrl" value="{{Encode(returnUrl ?? "/")}}">
              <label for="username">用户名 · User name</label><input id="username" name="username" autocomplete="username" required>
              <label for="password">密码 · Password</label><input id="password" name="password" type="password" autocomplete="current-password" required>
              <button type="submit">登录 · Sign in</button>
            </form>
            </body></html>
            """;
        return Results.Content(html, "text/html; charset=utf-8", statusCode: error is null ? StatusCodes.Status200OK : StatusCodes.Status401Unauthorized);
    }

    private static string Encode(string value) => WebUtility.HtmlEncode(value);
}
