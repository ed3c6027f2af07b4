-- orders larger than the customer's previous one
select count(*) from (
  select o_totalprice - lag(o_totalprice) over (partition by o_custkey order by o_orderdate, o_orderkey) as diff
  from orders
) t
where diff > 0
