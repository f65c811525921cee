using System.Reflection;

namespace Referral.FaultTests;

/// <summary>Where the built node is: <c>src/Referral.Web/bin/{Configuration}/net10.0/Referral.Web.dll</c>, recorded by the project file.</summary>
internal static class WebNode
{
    public static string Dll =>
        typeof(WebNode).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "WebNodeDll").Value!;
}
