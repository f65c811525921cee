using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace Referral.Persistence.Migrations.PostgreSql
{
    /// <inheritdoc />
    public partial class Initial : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "resource",
                columns: table => new
                {
                    Sid = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    ResourceType = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    ResourceId = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    VersionId = table.Column<int>(type: "integer", nullable: false),
                    LastUpdatedTicks = table.Column<long>(type: "bigint", nullable: false),
                    IsDeleted = table.Column<bool>(type: "boolean", nullable: false),
                    IsHistory = table.Column<bool>(type: "boolean", nullable: false),
                    Method = table.Column<string>(type: "character varying(8)", maxLength: 8, nullable: false),
                    Json = table.Column<string>(type: "text", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_resource", x => x.Sid);
                });

            migrationBuilder.CreateTable(
                name: "date_index",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    Start = table.Column<long>(type: "bigint", nullable: false),
                    End = table.Column<long>(type: "bigint", nullable: false),
                    Sid = table.Column<long>(type: "bigint", nullable: false),
                    ResourceType = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    Param = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_date_index", x => x.Id);
                    table.ForeignKey(
                        name: "FK_date_index_resource_Sid",
                        column: x => x.Sid,
                        principalTable: "resource",
                        principalColumn: "Sid",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "number_index",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    Value = table.Column<double>(type: "double precision", nullable: false),
                    Low = table.Column<double>(type: "double precision", nullable: false),
                    High = table.Column<double>(type: "double precision", nullable: false),
                    Sid = table.Column<long>(type: "bigint", nullable: false),
                    ResourceType = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    Param = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_number_index", x => x.Id);
                    table.ForeignKey(
                        name: "FK_number_index_resource_Sid",
                        column: x => x.Sid,
                        principalTable: "resource",
                        principalColumn: "Sid",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "quantity_index",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    System = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: true),
                    Code = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: true),
                    Value = table.Column<double>(type: "double precision", nullable: false),
                    Low = table.Column<double>(type: "double precision", nullable: false),
                    High = table.Column<double>(type: "double precision", nullable: false),
                    Sid = table.Column<long>(type: "bigint", nullable: false),
                    ResourceType = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    Param = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_quantity_index", x => x.Id);
                    table.ForeignKey(
                        name: "FK_quantity_index_resource_Sid",
                        column: x => x.Sid,
                        principalTable: "resource",
                        principalColumn: "Sid",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "reference_index",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    TargetType = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    TargetId = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    Url = table.Column<string>(type: "character varying(512)", maxLength: 512, nullable: true),
                    IdentifierSystem = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: true),
                    IdentifierValue = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: true),
                    Sid = table.Column<long>(type: "bigint", nullable: false),
                    ResourceType = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    Param = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_reference_index", x => x.Id);
                    table.ForeignKey(
                        name: "FK_reference_index_resource_Sid",
                        column: x => x.Sid,
                        principalTable: "resource",
                        principalColumn: "Sid",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "string_index",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    Normalized = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false, collation: "C"),
                    Exact = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false),
                    Sid = table.Column<long>(type: "bigint", nullable: false),
                    ResourceType = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    Param = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_string_index", x => x.Id);
                    table.ForeignKey(
                        name: "FK_string_index_resource_Sid",
                        column: x => x.Sid,
                        principalTable: "resource",
                        principalColumn: "Sid",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "token_index",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    System = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: true),
                    Code = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: true),
                    Text = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: true),
                    Sid = table.Column<long>(type: "bigint", nullable: false),
                    ResourceType = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    Param = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_token_index", x => x.Id);
                    table.ForeignKey(
                        name: "FK_token_index_resource_Sid",
                        column: x => x.Sid,
                        principalTable: "resource",
                        principalColumn: "Sid",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "uri_index",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    Uri = table.Column<string>(type: "character varying(512)", maxLength: 512, nullable: false, collation: "C"),
                    Sid = table.Column<long>(type: "bigint", nullable: false),
                    ResourceType = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    Param = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_uri_index", x => x.Id);
                    table.ForeignKey(
                        name: "FK_uri_index_resource_Sid",
                        column: x => x.Sid,
                        principalTable: "resource",
                        principalColumn: "Sid",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_date_index_ResourceType_Param_End_Sid",
                table: "date_index",
                columns: new[] { "ResourceType", "Param", "End", "Sid" });

            migrationBuilder.CreateIndex(
                name: "IX_date_index_ResourceType_Param_Start_End_Sid",
                table: "date_index",
                columns: new[] { "ResourceType", "Param", "Start", "End", "Sid" });

            migrationBuilder.CreateIndex(
                name: "IX_date_index_Sid",
                table: "date_index",
                column: "Sid");

            migrationBuilder.CreateIndex(
                name: "IX_number_index_ResourceType_Param_Low_High_Sid",
                table: "number_index",
                columns: new[] { "ResourceType", "Param", "Low", "High", "Sid" });

            migrationBuilder.CreateIndex(
                name: "IX_number_index_Sid",
                table: "number_index",
                column: "Sid");

            migrationBuilder.CreateIndex(
                name: "IX_quantity_index_ResourceType_Param_Low_High_Sid",
                table: "quantity_index",
                columns: new[] { "ResourceType", "Param", "Low", "High", "Sid" });

            migrationBuilder.CreateIndex(
                name: "IX_quantity_index_Sid",
                table: "quantity_index",
                column: "Sid");

            migrationBuilder.CreateIndex(
                name: "IX_reference_index_ResourceType_Param_IdentifierValue_Sid",
                table: "reference_index",
                columns: new[] { "ResourceType", "Param", "IdentifierValue", "Sid" });

            migrationBuilder.CreateIndex(
                name: "IX_reference_index_ResourceType_Param_TargetId_TargetType_Sid",
                table: "reference_index",
                columns: new[] { "ResourceType", "Param", "TargetId", "TargetType", "Sid" });

            migrationBuilder.CreateIndex(
                name: "IX_reference_index_ResourceType_Param_Url_Sid",
                table: "reference_index",
                columns: new[] { "ResourceType", "Param", "Url", "Sid" });

            migrationBuilder.CreateIndex(
                name: "IX_reference_index_Sid",
                table: "reference_index",
                column: "Sid");

            migrationBuilder.CreateIndex(
                name: "IX_reference_index_TargetId_TargetType_Param",
                table: "reference_index",
                columns: new[] { "TargetId", "TargetType", "Param" });

            migrationBuilder.CreateIndex(
                name: "IX_resource_LastUpdatedTicks",
                table: "resource",
                column: "LastUpdatedTicks");

            migrationBuilder.CreateIndex(
                name: "IX_resource_ResourceType_IsHistory_LastUpdatedTicks",
                table: "resource",
                columns: new[] { "ResourceType", "IsHistory", "LastUpdatedTicks" });

            migrationBuilder.CreateIndex(
                name: "IX_resource_ResourceType_ResourceId_VersionId",
                table: "resource",
                columns: new[] { "ResourceType", "ResourceId", "VersionId" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_string_index_ResourceType_Param_Exact_Sid",
                table: "string_index",
                columns: new[] { "ResourceType", "Param", "Exact", "Sid" });

            migrationBuilder.CreateIndex(
                name: "IX_string_index_ResourceType_Param_Normalized_Sid",
                table: "string_index",
                columns: new[] { "ResourceType", "Param", "Normalized", "Sid" });

            migrationBuilder.CreateIndex(
                name: "IX_string_index_Sid",
                table: "string_index",
                column: "Sid");

            migrationBuilder.CreateIndex(
                name: "IX_token_index_ResourceType_Param_Code_System_Sid",
                table: "token_index",
                columns: new[] { "ResourceType", "Param", "Code", "System", "Sid" });

            migrationBuilder.CreateIndex(
                name: "IX_token_index_Sid",
                table: "token_index",
                column: "Sid");

            migrationBuilder.CreateIndex(
                name: "IX_uri_index_ResourceType_Param_Uri_Sid",
                table: "uri_index",
                columns: new[] { "ResourceType", "Param", "Uri", "Sid" });

            migrationBuilder.CreateIndex(
                name: "IX_uri_index_Sid",
                table: "uri_index",
                column: "Sid");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "date_index");

            migrationBuilder.DropTable(
                name: "number_index");

            migrationBuilder.DropTable(
                name: "quantity_index");

            migrationBuilder.DropTable(
                name: "reference_index");

            migrationBuilder.DropTable(
                name: "string_index");

            migrationBuilder.DropTable(
                name: "token_index");

            migrationBuilder.DropTable(
                name: "uri_index");

            migrationBuilder.DropTable(
                name: "resource");
        }
    }
}
