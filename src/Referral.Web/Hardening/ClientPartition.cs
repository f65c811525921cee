using System.Security.Claims;

namespace Referral.Web.Hardening;

/// <summary>Who a request counts against for rate limiting: the authenticated client, else the remote address.</summary>
public static class ClientPartition
{
    /// <summary>
    /// Requests with no identity and no remote address (the in-memory test server, a Unix socket) share one bucket,
    /// so they are limited together rather than not at all.
    /// </summary>
    public const string Unknown = "unknown";

    public static string Key(HttpContext context)
    {
        // Read per request, not when the limiter is built, so authentication placed before the limiter is seen.
        // JWT bearer handlers map "sub" to NameIdentifier unless told not to; either spelling is the same subject.
        var client = context.User.FindFirst("client_id")?.Value
            ?? context.User.FindFirst("sub")?.Value
            ?? context.User.FindFirst(ClaimTypes.NameIdentifier)?.Value;
        if (!string.IsNullOrEmpty(client))
        {
            // Prefixed so a client named like an address never shares that address's bucket.
            return "client:" + client;
        }

        return context.Connection.RemoteIpAddress is { } address ? "ip:" + address : Unknown;
    }
}
