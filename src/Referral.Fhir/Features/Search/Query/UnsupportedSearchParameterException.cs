namespace Referral.Fhir.Features.Search.Query;

/// <summary>
/// A parameter, modifier or chain the server does not know. Raised deep inside chains and caught once per
/// top-level parameter, where handling=strict turns it into a 400 and lenient handling skips the parameter.
/// </summary>
public sealed class UnsupportedSearchParameterException : Exception
{
    public UnsupportedSearchParameterException()
    {
    }

    public UnsupportedSearchParameterException(string message)
        : base(message)
    {
    }

    public UnsupportedSearchParameterException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
